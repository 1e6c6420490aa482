import { once } from 'node:events';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import helmet from 'helmet';
import supertest from 'supertest';
import { createAppServer } from '../http-server.js';
import { isDatabaseConnected } from '../services/database.service.js';
import { api, freshIp, ORIGIN, testApp } from './support/app.js';
import { bearer, signupUser } from './support/users.js';
import { expectDocumented } from './support/openapi.js';

describe('HTTP basics', () => {
  it('a stalled event loop (a long GC pause, a busy CPU) does not count as the database gone', async () => {
    const me = await signupUser();
    const client = await api();
    // A heartbeat seen first (Mongoose's staleness rule counts from the last one), then the loop
    // held past two heartbeat intervals (4 s): Mongoose's readyState reads that as disconnected.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const until = Date.now() + 4500;
    while (Date.now() < until) {
      // The event loop held, as a slow moment would.
    }
    expect(isDatabaseConnected()).to.equal(true);
    const res = await client.get('/api/v1/auth/me').set(bearer(me.accessToken));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  });

  it('answers /healthz and /readyz', async () => {
    const live = await (await api()).get('/healthz');
    expect(live.status).to.equal(200);
    // Nothing that dates the last restart or deploy.
    expect(live.body).to.deep.equal({ status: 'ok' });
    expectDocumented(live, 'get', '/healthz');
    const ready = await (await api()).get('/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body.checks.database).to.equal('up');
    expectDocumented(ready, 'get', '/readyz');
  });

  it('returns the X-Request-Id it was given, or a new one', async () => {
    const given = await (await api()).get('/healthz').set('X-Request-Id', 'req-abc.123');
    expect(given.headers['x-request-id']).to.equal('req-abc.123');
    const generated = await (await api()).get('/healthz').set('X-Request-Id', 'bad id with spaces <script>');
    expect(generated.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
  });

  it('gives unknown routes a JSON 404', async () => {
    const res = await (await api()).get('/api/v1/nope');
    expect(res.status).to.equal(404);
    expect(res.body).to.deep.equal({ error: { code: 'ROUTE_NOT_FOUND', message: 'No route for GET /api/v1/nope' } });
  });

  it('refuses malformed JSON with 400 and an oversized body with 413, without internals', async () => {
    const malformed = await (
      await api()
    )
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"identifier": ');
    expect(malformed.status).to.equal(400);
    expect(malformed.body.error.code).to.equal('MALFORMED_JSON');
    expect(JSON.stringify(malformed.body)).to.not.match(/at |node_modules|SyntaxError/);

    const huge = await (
      await api()
    )
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ identifier: 'x'.repeat(200_000), password: 'y' }));
    expect(huge.status).to.equal(413);
    expect(huge.body.error.code).to.equal('PAYLOAD_TOO_LARGE');
  });

  it('refuses keys that could become operators, in body and query', async () => {
    const body = await (await api()).post('/api/v1/auth/login').send({ identifier: { $gt: '' }, password: 'x' });
    expect(body.status).to.equal(400);
    expect(body.body.error.code).to.equal('INVALID_INPUT_KEY');
    const dotted = await (await api()).post('/api/v1/auth/login').send({ 'identifier.x': 'a', password: 'x' });
    expect(dotted.status).to.equal(400);
    const query = await (await api()).get('/healthz?$where=1');
    expect(query.status).to.equal(400);
    expect(query.body.error.code).to.equal('INVALID_INPUT_KEY');
  });

  it('refuses a request target holding a backslash or a #, which routing would read as another path', async () => {
    // Sent as written: a URL parser (supertest's included) would turn the backslash into a slash.
    const server = createAppServer(await testApp()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const rawGet = (path: string) =>
        new Promise<{ status: number; body: { error?: { code?: string } } }>((resolve, reject) =>
          request({ host: '127.0.0.1', port, path }, (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
          })
            .on('error', reject)
            .end(),
        );
      for (const path of ['/api/v1/admin/payments\\audit', '/api/v1/auth/me#x', '/healthz?a=#b', '/api/v1\\auth/me']) {
        const res = await rawGet(path);
        expect(res.status, path).to.equal(400);
        expect(res.body.error?.code, path).to.equal('MALFORMED_URL');
      }
      // Encoded, both are ordinary characters of a path or a query.
      expect((await rawGet('/healthz?a=%23b%5C')).status).to.equal(200);
    } finally {
      server.close();
    }
  });

  it('sends security headers and CORS only to allowed origins', async () => {
    const allowed = await (
      await api()
    )
      .options('/api/v1/auth/login')
      .set('Origin', ORIGIN)
      .set('Access-Control-Request-Method', 'POST');
    expect(allowed.headers['access-control-allow-origin']).to.equal(ORIGIN);
    expect(allowed.headers['access-control-allow-credentials']).to.equal('true');
    const foreign = await (
      await api()
    )
      .options('/api/v1/auth/login')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(foreign.headers['access-control-allow-origin']).to.equal(undefined);
    // A simple read from a page of another allowed origin sees the headers it may read.
    const read = await (await api()).get('/api/v1/auth/me').set('Origin', ORIGIN);
    expect(read.headers['access-control-allow-origin']).to.equal(ORIGIN);
    expect(read.headers['access-control-expose-headers']).to.include('X-Request-Id');
    expect(read.headers.vary).to.include('Origin');
    // Without an Origin (an app, a server) no Access-Control-* header is computed, but the
    // answer still varies by Origin, so no cache gives it to a cross-origin page later.
    const direct = await (await api()).get('/api/v1/auth/me');
    expect(Object.keys(direct.headers).filter((h) => h.startsWith('access-control-'))).to.deep.equal([]);
    expect(direct.headers.vary).to.include('Origin');
    // An OPTIONS without an Origin is still answered by CORS at once, not by the API behind it.
    const probe = await (await api()).options('/api/v1/auth/me');
    expect(probe.status).to.equal(204);
    const res = await (await api()).get('/healthz');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['content-security-policy']).to.include("default-src 'self'");
    expect(res.headers['x-powered-by']).to.equal(undefined);
  });

  it("sends every one of helmet's headers on API responses and errors, with helmet's values", async () => {
    const reference = express();
    reference.use(helmet());
    reference.get('/', (_req, res) => void res.json({}));
    const expected = (await supertest(reference).get('/')).headers;
    const names = Object.keys(expected).filter(
      (h) => !['content-type', 'content-length', 'etag', 'date', 'connection'].includes(h),
    );
    expect(names.length).to.be.greaterThan(10);
    for (const path of ['/healthz', '/api/v1/auth/me', '/api/v1/AUTH/me', '/api/v1/no-such-area']) {
      const res = await (await api()).get(path);
      for (const name of names) expect(res.headers[name], `${path} ${name}`).to.equal(expected[name]);
    }
  });

  it('lets no cache keep an API answer: tokens, personal data and errors are no-store, with no ETag to revalidate', async () => {
    const ana = await signupUser();
    const login = await (
      await api()
    )
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', freshIp())
      .send({ identifier: ana.input.email, password: ana.input.password });
    const refreshed = await (
      await api()
    )
      .post('/api/v1/auth/refresh')
      .set('X-Forwarded-For', freshIp())
      .send({ refreshToken: ana.refreshToken });
    const me = await (await api()).get('/api/v1/auth/me').set(bearer(ana.accessToken));
    const refused = await (await api()).get('/api/v1/auth/me');
    const missing = await (await api()).get('/api/v1/No-Such-Area');
    // Refused before the API's own handlers run: by the body parser, by the operator-key check.
    const malformed = await (await api()).post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"a":');
    const operator = await (await api()).get('/api/v1/auth/me?$where=1');
    const answers = { login, refreshed, me, refused, missing, malformed, operator };
    const statuses = { login: 200, refreshed: 200, me: 200, refused: 401, missing: 404, malformed: 400, operator: 400 };
    for (const [name, res] of Object.entries(answers)) {
      expect(res.status, name).to.equal(statuses[name as keyof typeof statuses]);
      expect(res.headers['cache-control'], name).to.equal('no-store');
      expect(res.headers.etag, name).to.equal(undefined);
    }
    expect(login.body.accessToken).to.be.a('string');
    expect(me.body.user.id).to.equal(ana.id);
    // Outside the API, nothing changes: health answers are not personal.
    expect((await (await api()).get('/healthz')).headers['cache-control']).to.equal(undefined);
  });

  it('routes by area whatever the case of its segment, as Express mounts do, and keeps the order within an area', async () => {
    expect((await (await api()).get('/api/v1/Auth/me')).body.error.code).to.equal('UNAUTHORIZED');
    expect((await (await api()).get('/API/V1/auth/me')).body.error.code).to.equal('UNAUTHORIZED');
    // Only the prefix itself or a path below it is the API: neither "/api/v1x" nor the bare prefix is a route.
    for (const path of ['/api/v1x/auth/me', '/api/v1', '/api/v1/']) {
      const res = await (await api()).get(path);
      expect(res.status, path).to.equal(404);
      expect(res.body.error.code, path).to.equal('ROUTE_NOT_FOUND');
    }
    // /auth/oauth is mounted before /auth: its routes answer, not /auth's 404.
    const oauth = await (await api()).get('/api/v1/auth/oauth/providers');
    expect(oauth.status).to.equal(200);
    // An absolute-form target (a client talking to the port directly) is routed by its path.
    const server = createAppServer(await testApp()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const status = await new Promise<number>((resolve, reject) =>
        request({ host: '127.0.0.1', port, path: `http://127.0.0.1:${port}/api/v1/auth/me` }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
          .on('error', reject)
          .end(),
      );
      expect(status).to.equal(401);
    } finally {
      server.close();
    }
    const unknown = await (await api()).get('/api/v1/nowhere/at/all');
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.code).to.equal('ROUTE_NOT_FOUND');
  });
});
