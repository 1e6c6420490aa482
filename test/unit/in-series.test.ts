import { expect } from 'chai';
import express, { type RequestHandler } from 'express';
import supertest from 'supertest';
import { inSeries } from '../../middlewares/in-series.js';

describe('inSeries', () => {
  it("goes on to the next handler on next('route'), as app.use does: no check after it is skipped", async () => {
    const ran: string[] = [];
    const step =
      (name: string, signal?: string): RequestHandler =>
      (_req, _res, next) => {
        ran.push(name);
        next(signal);
      };
    const app = express();
    app.use(inSeries(step('first', 'route'), step('check')));
    app.get('/x', (_req, res) => void res.json({ ran }));
    expect((await supertest(app).get('/x')).body).to.deep.equal({ ran: ['first', 'check'] });
  });
});
