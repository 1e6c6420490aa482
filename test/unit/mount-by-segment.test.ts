import { expect } from 'chai';
import express, { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import supertest from 'supertest';
import { mountBySegment } from '../../routes/mount-by-segment.js';

/**
 * The API's dispatcher on a bare app: the common handlers run before any area router, and
 * their errors and signals end where they would have through a router of the API's own.
 */
describe('mountBySegment', () => {
  const build = (before: RequestHandler[], prefix = '/api/v1') => {
    const area = Router();
    area.get('/me', (req, res) => void res.json({ area: true, baseUrl: req.baseUrl, seen: res.locals.seen }));
    const errors: unknown[] = [];
    const onError: ErrorRequestHandler = (err, _req, res, _next) => {
      errors.push(err);
      res.status(500).json({ error: String((err as Error).message ?? err) });
    };
    const app = express();
    app.use(
      mountBySegment({ prefix, before, routers: [{ basePath: '/auth', router: area }], afterEach: (e, _q, _s, n) => n(e) }),
    );
    app.use((_req, res) => void res.status(404).json({ notFound: true }));
    app.use(onError);
    return { http: supertest(app), errors };
  };
  const mark: RequestHandler = (_req, res, next) => {
    res.locals.seen = (Number(res.locals.seen) || 0) + 1;
    next();
  };

  it('runs every common handler once before the area, the prefix matched as Express would', async () => {
    const { http } = build([mark, mark], '/API/V1/');
    const res = await http.get('/api/V1/auth/me');
    expect(res.body).to.deep.equal({ area: true, baseUrl: '/api/V1/auth', seen: 2 });
    expect((await http.get('/api/v1x/auth/me')).body).to.deep.equal({ notFound: true });
  });

  it('takes a rejected promise, a falsy one too, or a thrown error to the error handler once, and no area runs', async () => {
    for (const failing of [
      (async () => Promise.reject(new Error('no database'))) as RequestHandler,
      (async () => Promise.reject(0)) as RequestHandler,
      (() => {
        throw new Error('thrown');
      }) as RequestHandler,
    ]) {
      const { http, errors } = build([mark, failing, mark]);
      const res = await http.get('/api/v1/auth/me');
      expect(res.status).to.equal(500);
      expect(res.body.area).to.equal(undefined);
      expect(errors).to.have.length(1);
    }
  });

  it("leaves the API on next('router') or next('route'), to what the app has after it", async () => {
    for (const signal of ['router', 'route']) {
      const { http, errors } = build([(_req, _res, next) => next(signal), mark]);
      expect((await http.get('/api/v1/auth/me')).body, signal).to.deep.equal({ notFound: true });
      expect(errors).to.have.length(0);
    }
  });
});
