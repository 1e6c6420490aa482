import { expect } from 'chai';
import { once } from 'node:events';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/**
 * The areas of one segment are entered as a router mounting each at its path would enter
 * them: the path taken off req.url and put on req.baseUrl inside, both back as they were
 * after, an error seen under the area's base path, then by the app's error handler.
 */
/** An app with the areas mounted in order under /api/v1, nothing run before them. */
const appWithAreas = (areas: [string, Router][], afterEach: ErrorRequestHandler) => {
  const app = express();
  const routers = areas.map(([basePath, router]) => ({ basePath, router }));
  app.use(mountBySegment({ prefix: '/api/v1', before: [], routers, afterEach }));
  return app;
};

describe('mountBySegment areas', () => {
  const build = () => {
    const oauth = Router();
    oauth.get('/start', (req, res) => void res.json({ area: 'oauth', url: req.url, baseUrl: req.baseUrl }));
    // Answers anything one segment below it: entered wrongly, it would answer /auth/oauthx.
    oauth.get('/:anything', (req, res) => void res.json({ area: 'oauth', url: req.url, baseUrl: req.baseUrl }));
    const auth = Router();
    auth.get('/me', (req, res) => void res.json({ area: 'auth', url: req.url, baseUrl: req.baseUrl, query: req.query }));
    auth.get('/', (req, res) => void res.json({ area: 'auth root', url: req.url, baseUrl: req.baseUrl }));
    auth.get('/oauth/fallback/:x', (req, res) => void res.json({ area: 'auth', url: req.url, baseUrl: req.baseUrl }));
    auth.get('/oauthx', (req, res) => void res.json({ area: 'auth', url: req.url, baseUrl: req.baseUrl }));
    auth.get('/fail/:id', () => {
      throw new Error('area failed');
    });
    const seenByAfterEach: unknown[] = [];
    const app = appWithAreas(
      [
        ['/auth/oauth', oauth],
        ['/auth', auth],
      ],
      (err, req, _res, next) => {
        seenByAfterEach.push({ baseUrl: req.baseUrl, url: req.url, route: (req.route as { path?: string } | undefined)?.path });
        next(err);
      },
    );
    app.use((req, res) => void res.status(404).json({ url: req.url, baseUrl: req.baseUrl }));
    const onError: ErrorRequestHandler = (err, req, res, _next) =>
      void res.status(500).json({ error: (err as Error).message, url: req.url, baseUrl: req.baseUrl });
    app.use(onError);
    return { app, http: supertest(app), seenByAfterEach };
  };

  it('enters the first area the path is under, in order, each with its own base path', async () => {
    const { http } = build();
    expect((await http.get('/api/v1/Auth/OAuth/start')).body).to.deep.equal({
      area: 'oauth',
      url: '/start',
      baseUrl: '/api/v1/Auth/OAuth',
    });
    expect((await http.get('/api/v1/auth/me?x=1')).body).to.deep.equal({
      area: 'auth',
      url: '/me?x=1',
      baseUrl: '/api/v1/auth',
      query: { x: '1' },
    });
    // Not under /auth/oauth ("oauthx"), and what /auth/oauth does not answer goes on to /auth.
    expect((await http.get('/api/v1/auth/oauth/fallback/1')).body).to.deep.equal({
      area: 'auth',
      url: '/oauth/fallback/1',
      baseUrl: '/api/v1/auth',
    });
    // /auth/oauthx is not under /auth/oauth (a path breaks at a slash).
    expect((await http.get('/api/v1/auth/oauthx')).body).to.deep.equal({ area: 'auth', url: '/oauthx', baseUrl: '/api/v1/auth' });
    expect((await http.get('/api/v1/auth?y=2')).body).to.deep.equal({ area: 'auth root', url: '/?y=2', baseUrl: '/api/v1/auth' });
    expect((await http.get('/api/v1/auth/')).body).to.deep.equal({ area: 'auth root', url: '/', baseUrl: '/api/v1/auth' });
  });

  it('gives what no area answers to the app as it came, url and base path restored', async () => {
    const { http } = build();
    expect((await http.get('/api/v1/auth/nothing?z=3')).body).to.deep.equal({ url: '/api/v1/auth/nothing?z=3', baseUrl: '' });
    expect((await http.get('/api/v1/nothing/here')).body).to.deep.equal({ url: '/api/v1/nothing/here', baseUrl: '' });
  });

  it('shows an error to afterEach under the area, once, then to the app with the url restored', async () => {
    const { http, seenByAfterEach } = build();
    const res = await http.get('/api/v1/auth/fail/7?q=1');
    expect(res.status).to.equal(500);
    expect(res.body).to.deep.equal({ error: 'area failed', url: '/api/v1/auth/fail/7?q=1', baseUrl: '' });
    expect(seenByAfterEach).to.deep.equal([{ baseUrl: '/api/v1/auth', url: '/fail/7?q=1', route: '/fail/:id' }]);
  });

  it('goes on to the next area when afterEach handles the error (next() without it)', async () => {
    const first = Router();
    first.get('/x', () => {
      throw new Error('first failed');
    });
    const second = Router();
    second.get('/inner/x', (req, res) => void res.json({ area: 'second', url: req.url, baseUrl: req.baseUrl }));
    const app = appWithAreas(
      [
        ['/a/inner', first],
        ['/a', second],
      ],
      (_err, _req, _res, next) => next(),
    );
    expect((await supertest(app).get('/api/v1/a/inner/x')).body).to.deep.equal({
      area: 'second',
      url: '/inner/x',
      baseUrl: '/api/v1/a',
    });
  });

  it('takes an absolute-form target (GET http://host/...) apart as Express does', async () => {
    const { app } = build();
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const get = (path: string) =>
        new Promise<string>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path }, (res) => {
            let data = '';
            res.on('data', (d: Buffer) => (data += d.toString()));
            res.on('end', () => resolve(data));
          });
          req.on('error', reject);
          req.end();
        });
      // Another host in the target: its protocol and host stay in req.url inside the area.
      expect(JSON.parse(await get('http://other.example/api/v1/auth/me'))).to.deep.equal({
        area: 'auth',
        url: 'http://other.example/me',
        baseUrl: '/api/v1/auth',
        query: {},
      });
      const body = await get(`http://127.0.0.1:${port}/api/v1/auth/me?x=1`);
      expect(JSON.parse(body)).to.deep.equal({
        area: 'auth',
        url: `http://127.0.0.1:${port}/me?x=1`,
        baseUrl: '/api/v1/auth',
        query: { x: '1' },
      });
      // With a '#' the parser reads '\\' as '/' and picks /auth, while the raw target has no
      // /auth to cut: refused, not entered with a wrong remainder (no rejectMalformedTarget here).
      expect(JSON.parse(await get('/api/v1\\auth/me#x'))).to.deep.equal({
        error: 'The request target could not be routed as written',
        url: '/api/v1\\auth/me#x',
        baseUrl: '',
      });
    } finally {
      server.close();
    }
  });
});
