import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import type { Request, Response } from 'express';
import { createApp } from '../app.js';
import { metricsAccess } from '../middlewares/metrics-access.middleware.js';
import { config } from '../config/index.js';
import { api, testMediaQueue } from './support/app.js';
import { emitAck, eventually, useSocketServer } from './support/chat.js';
import { expectDocumented } from './support/openapi.js';
import { bearer, signupUser } from './support/users.js';

/** The value of one series in a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((l) => line.includes(l))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

const scrape = async () => {
  const res = await (await api()).get('/metrics');
  expect(res.status).to.equal(200);
  expect(res.headers['content-type']).to.match(/^text\/plain/);
  return res.text;
};

describe('metrics at /metrics', () => {
  const devices = useSocketServer();

  it('times requests by route template and status, never by raw path', async () => {
    const u = await signupUser();
    const before = sample(await scrape(), 'http_request_duration_seconds_count', {
      route: '/api/v1/users/:username',
      status: '200',
    });
    const res = await (await api()).get(`/api/v1/users/${u.input.username}`).set(bearer(u.accessToken));
    expect(res.status).to.equal(200);
    const text = await scrape();
    const after = sample(text, 'http_request_duration_seconds_count', { route: '/api/v1/users/:username', status: '200' });
    expect(after).to.equal((before ?? 0) + 1);
    // The id never names a series: one per route, not one per person.
    expect(text).not.to.include(u.input.username);
    expect(sample(text, 'http_request_duration_seconds_bucket', { route: '/api/v1/users/:username', le: '+Inf' })).to.be.a(
      'number',
    );
  });

  it('names a route once whatever the case a client writes its path in', async () => {
    const u = await signupUser();
    const label = { route: '/api/v1/users/:username', status: '200' };
    const before = sample(await scrape(), 'http_request_duration_seconds_count', label) ?? 0;
    for (const prefix of ['/API/V1/Users', '/api/v1/uSeRs']) {
      const res = await (await api()).get(`${prefix}/${u.input.username}`).set(bearer(u.accessToken));
      expect(res.status, prefix).to.equal(200);
    }
    const text = await scrape();
    expect(sample(text, 'http_request_duration_seconds_count', label)).to.equal(before + 2);
    // Each spelling a series of its own would let any client grow the metrics without end.
    expect(text).not.to.include('route="/API/V1/Users');
    expect(text).not.to.include('route="/api/v1/uSeRs');
  });

  it('labels what no route answered "unmatched", and an error outside the API by its whole route', async () => {
    // With the web client built, its page route passes /api/... misses on to the 404.
    const webDir = mkdtempSync(path.join(tmpdir(), 'devtinder-metrics-web-'));
    writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>app</title>');
    const web = supertest(createApp({ config: { ...config, webDir }, media: await testMediaQueue() }));
    const unmatched = { route: 'unmatched', status: '404' };
    const missesBefore = sample(await scrape(), 'http_request_duration_seconds_count', unmatched) ?? 0;
    for (const miss of ['/api/nothing-here', '/media/nothing-here']) expect((await web.get(miss)).status, miss).to.equal(404);
    // A refused media link: the router's base path is gone by the time the error is handled.
    const link = { route: '/media/s/*key', status: '400' };
    const linksBefore = sample(await scrape(), 'http_request_duration_seconds_count', link) ?? 0;
    expect((await (await api()).get('/media/s/not-a-linked-key')).status).to.equal(400);
    const text = await scrape();
    expect(sample(text, 'http_request_duration_seconds_count', unmatched)).to.equal(missesBefore + 2);
    expect(sample(text, 'http_request_duration_seconds_count', link)).to.equal(linksBefore + 1);
  });

  it('labels a refused request by its route too, not by where the error left the router', async () => {
    const u = await signupUser();
    const label = { route: '/api/v1/users/:username', status: '404' };
    const before = sample(await scrape(), 'http_request_duration_seconds_count', label) ?? 0;
    const res = await (await api()).get('/api/v1/users/nobody_here_at_all').set(bearer(u.accessToken));
    expect(res.status).to.equal(404);
    expect(sample(await scrape(), 'http_request_duration_seconds_count', label)).to.equal(before + 1);
  });

  it('reports the event loop, the database, Redis, the media queue and mail outcomes', async () => {
    const mails = async () => sample(await scrape(), 'mail_sent_total', { template: 'verifyEmail', outcome: 'sent' }) ?? 0;
    const before = await mails();
    await signupUser(); // a verification mail
    await eventually(async () => (await mails()) === before + 1, 5000, 'the mail counted');
    const text = await scrape();
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).to.be.a('number');
    expect(sample(text, 'database_state')).to.equal(1);
    expect(sample(text, 'redis_up')).to.equal(config.redisUrl ? 1 : -1);
    expect(sample(text, 'media_queue_depth')).to.be.at.least(0);
  });

  it('counts the database pings of readiness probes: a burst of probes pings about once a second', async () => {
    const pings = async () => sample(await scrape(), 'database_pings_total') ?? 0;
    await (await api()).get('/readyz').expect(200);
    // Past the last probe's second: the burst needs a ping of its own.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = await pings();
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 40 }, async () => (await api()).get('/readyz')));
    const seconds = Math.ceil((Date.now() - started) / 1000);
    expect(answers.map((a) => a.status)).to.deep.equal(answers.map(() => 200));
    expect((await pings()) - before)
      .to.be.at.least(1)
      .and.at.most(seconds + 1);
  });

  it('counts socket connections and events by type and outcome', async () => {
    const u = await signupUser();
    const socket = await devices.connect(u);
    const ok = (t: string) => sample(t, 'socket_events_total', { event: 'system:ping', outcome: 'ok' }) ?? 0;
    const bad = (t: string) => sample(t, 'socket_events_total', { event: 'chat:typing', outcome: 'VALIDATION_FAILED' }) ?? 0;
    const before = await scrape();
    const connected = (t: string) => sample(t, 'socket_connections_total') ?? 0;
    const open = (t: string) => sample(t, 'socket_connected') ?? 0;
    const another = await devices.connect(await signupUser());
    const withAnother = await scrape();
    expect(connected(withAnother)).to.equal(connected(before) + 1);
    expect(open(withAnother)).to.equal(open(before) + 1);
    another.close();
    await eventually(async () => open(await scrape()) === open(before), 3000, 'the socket gone from the gauge');
    expect((await emitAck(socket, 'system:ping', {})).ok).to.equal(true);
    const refused = await emitAck(socket, 'chat:typing', { conversationId: 'nope', isTyping: true });
    expect(refused.error?.code).to.equal('VALIDATION_FAILED');
    const after = await scrape();
    expect(ok(after)).to.equal(ok(before) + 1);
    expect(bad(after)).to.equal(bad(before) + 1);
    expect(sample(after, 'matchmaking_queue_size', { mode: 'video' })).to.be.at.least(0);
  });

  it('is not served to anything that came through the proxy or from another host', async () => {
    for (const header of ['X-Forwarded-For', 'X-Real-IP', 'Forwarded']) {
      const res = await (await api()).get('/metrics').set(header, '203.0.113.9');
      expect(res.status, header).to.equal(404);
      expect(res.body.error.code).to.equal('ROUTE_NOT_FOUND');
      expect(res.text).not.to.include('nodejs_');
      expectDocumented(res, 'get', '/metrics');
    }
  });

  it('takes METRICS_TOKEN from another host, never through the proxy', async () => {
    const token = 'scrape-token-0123456789abcdef';
    const app = supertest(createApp({ config: { ...config, metricsToken: token } }));
    // Through nginx (forwarded), the token opens nothing: no door to guess it at.
    expect((await app.get('/metrics').set('X-Forwarded-For', '203.0.113.9').set(bearer(token))).status).to.equal(404);
    // From another host on the private network (not loopback), with the token only.
    const guard = metricsAccess(token);
    const from = (address: string, auth?: string) => {
      const headers: Record<string, string> = auth ? { authorization: auth } : {};
      const req = { headers, socket: { remoteAddress: address }, get: (h: string) => headers[h.toLowerCase()] };
      let passed = false;
      try {
        guard(req as unknown as Request, { locals: {} } as Response, () => (passed = true));
      } catch (err) {
        return (err as { code?: string }).code;
      }
      return passed ? 'passed' : 'nothing';
    };
    expect(from('10.0.3.7', `Bearer ${token}`)).to.equal('passed');
    expect(from('10.0.3.7', `Bearer ${token}x`)).to.equal('ROUTE_NOT_FOUND');
    expect(from('10.0.3.7', token)).to.equal('ROUTE_NOT_FOUND');
    expect(from('10.0.3.7')).to.equal('ROUTE_NOT_FOUND');
    expect(from('::ffff:127.0.0.1')).to.equal('passed');
  });
});
