import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { lineOutput } from '../utils/log-output.js';
import { logger } from '../utils/logger.js';
import supertest from 'supertest';
import { createApp } from '../app.js';
import { config } from '../config/index.js';
import { api, testMediaQueue } from './support/app.js';
import { eventually } from './support/eventually.js';
import { newSignup } from './support/users.js';

describe('logging', () => {
  let lines: string[];
  let restoreOutput: () => void;
  let wasSilent: boolean;
  let level: string;

  beforeEach(() => {
    lines = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        // Lines of one event-loop turn arrive as one write.
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    wasSilent = logger.silent;
    level = logger.level;
    logger.silent = false;
    logger.level = 'debug';
    restoreOutput = lineOutput.redirect(sink);
  });

  afterEach(() => {
    restoreOutput();
    logger.silent = wasSilent;
    logger.level = level;
  });

  it('writes one JSON access line per request, with the request id', async () => {
    const res = await (await api()).get('/healthz').set('X-Request-Id', 'trace-me-123');
    expect(res.status).to.equal(200);
    await eventually(() => lines.some((l) => l.includes('trace-me-123')), 3000, 'the access line');
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

  it('redacts secret-named fields wherever a caller logs them', async () => {
    logger.info('debugging', {
      password: 'p4ss',
      nested: { refreshToken: 'r3fresh', list: [{ authorization: 'Bearer x' }] },
      ok: 'visible',
    });
    await eventually(() => lines.some((l) => l.includes('debugging')), 3000, 'the line');
    const line = JSON.parse(lines.find((l) => l.includes('debugging'))!);
    expect(line.password).to.equal('[redacted]');
    expect(line.nested.refreshToken).to.equal('[redacted]');
    expect(line.nested.list[0].authorization).to.equal('[redacted]');
    expect(line.ok).to.equal('visible');
  });

  it('writes an error line at once, with the lines held before it', () => {
    logger.warn('held before the error');
    logger.error('the error itself');
    // No turn of the event loop has passed: the batch went out with the error.
    const messages = lines.map((l) => (JSON.parse(l) as { message: string }).message);
    expect(messages.slice(-2)).to.deep.equal(['held before the error', 'the error itself']);
  });

  it('writes the lines still held when the process exits, in order', () => {
    // Lines wait for the end of the event-loop turn; an exit in that same turn must not lose them.
    const script = `const { logger } = await import('./utils/logger.js');
      for (let i = 0; i < 3; i++) logger.warn('line ' + i);
      process.exit(0);`;
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, LOG_LEVEL: 'info' },
      encoding: 'utf8',
    });
    const messages = out.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { message: string }).message);
    expect(messages).to.deep.equal(['line 0', 'line 1', 'line 2']);
  });
});
