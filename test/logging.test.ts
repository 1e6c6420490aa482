import { Writable } from 'node:stream';
import { expect } from 'chai';
import winston from 'winston';
import { logger } from '../utils/logger.js';
import supertest from 'supertest';
import { createApp } from '../app.js';
import { config } from '../config/index.js';
import { api, testMediaQueue } from './support/app.js';
import { eventually } from './support/eventually.js';
import { newSignup } from './support/users.js';

describe('logging', () => {
  let lines: string[];
  let transport: winston.transport;
  let wasSilent: boolean;
  let level: string;

  beforeEach(() => {
    lines = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    transport = new winston.transports.Stream({ stream: sink });
    wasSilent = logger.silent;
    level = logger.level;
    logger.silent = false;
    logger.level = 'debug';
    // Only the capture transport writes while the test runs.
    for (const t of logger.transports) t.silent = true;
    logger.add(transport);
  });

  afterEach(() => {
    logger.remove(transport);
    for (const t of logger.transports) t.silent = false;
    logger.silent = wasSilent;
    logger.level = level;
  });

  it('writes one JSON access line per request, with the request id', async () => {
    const res = await (await api()).get('/healthz').set('X-Request-Id', 'trace-me-123');
    expect(res.status).to.equal(200);
    const access = lines.map((l) => JSON.parse(l)).filter((l) => l.message === 'request');
    expect(access).to.have.length(1);
    expect(access[0]).to.include({ requestId: 'trace-me-123', method: 'GET', path: '/healthz', status: 200 });
  });

  it('keeps a request id only from a trusted proxy', async () => {
    const direct = createApp({ config: { ...config, trustProxy: false }, media: await testMediaQueue() });
    const res = await supertest(direct).get('/healthz').set('X-Request-Id', 'chosen-by-client');
    expect(res.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
    const proxied = await (await api()).get('/healthz').set('X-Request-Id', 'set-by-proxy');
    expect(proxied.headers['x-request-id']).to.equal('set-by-proxy');
  });

  it('never logs a password, token or cookie', async () => {
    const input = newSignup({ password: 'Sup3r-Secret-Pa55' });
    const signup = await (await api()).post('/api/v1/auth/signup').send(input);
    const cookie = (signup.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    await (await api()).post('/api/v1/auth/login').send({ identifier: input.email, password: 'Sup3r-Secret-Pa55' });
    await (await api()).post('/api/v1/auth/login').send({ identifier: input.email, password: 'Wrong-Secret-Pa55' });
    await (await api()).post('/api/v1/auth/refresh?refreshToken=leak').set('Origin', 'http://app.test').set('Cookie', cookie);
    await (await api()).get('/api/v1/auth/me').set('Authorization', `Bearer ${signup.body.accessToken}`);
    // The last request's access line is written after every earlier line.
    await eventually(() => lines.some((l) => l.includes('/api/v1/auth/me')), 3000, 'the last access line');
    const all = lines.join('\n');
    expect(lines.length).to.be.greaterThan(4);
    for (const secret of ['Sup3r-Secret-Pa55', 'Wrong-Secret-Pa55', signup.body.accessToken, signup.body.refreshToken, 'leak']) {
      expect(all).to.not.include(secret);
    }
    expect(all).to.not.match(/\$2[aby]\$/);
  });

  it('redacts secret-named fields wherever a caller logs them', () => {
    logger.info('debugging', {
      password: 'p4ss',
      nested: { refreshToken: 'r3fresh', list: [{ authorization: 'Bearer x' }] },
      ok: 'visible',
    });
    const line = JSON.parse(lines.at(-1)!);
    expect(line.password).to.equal('[redacted]');
    expect(line.nested.refreshToken).to.equal('[redacted]');
    expect(line.nested.list[0].authorization).to.equal('[redacted]');
    expect(line.ok).to.equal('visible');
  });
});
