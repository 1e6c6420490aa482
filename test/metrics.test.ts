import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../app.js';
import { config } from '../config/index.js';
import { api } from './support/app.js';
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

  it('reports the event loop, the database, Redis, the media queue and mail outcomes', async () => {
    await signupUser(); // a verification mail
    await eventually(async () => (sample(await scrape(), 'mail_sent_total', { outcome: 'sent' }) ?? 0) > 0, 5000, 'mail');
    const text = await scrape();
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).to.be.a('number');
    expect(sample(text, 'database_state')).to.equal(1);
    expect(sample(text, 'redis_up')).to.equal(config.redisUrl ? 1 : -1);
    expect(sample(text, 'media_queue_depth')).to.be.at.least(0);
  });

  it('counts socket connections and events by type and outcome', async () => {
    const u = await signupUser();
    const socket = await devices.connect(u);
    const ok = (t: string) => sample(t, 'socket_events_total', { event: 'system:ping', outcome: 'ok' }) ?? 0;
    const bad = (t: string) => sample(t, 'socket_events_total', { event: 'chat:typing', outcome: 'VALIDATION_FAILED' }) ?? 0;
    const before = await scrape();
    expect(sample(before, 'socket_connected')).to.be.at.least(1);
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

  it('takes METRICS_TOKEN as a Bearer token from elsewhere, and nothing else', async () => {
    const token = 'scrape-token-0123456789abcdef';
    const app = supertest(createApp({ config: { ...config, metricsToken: token } }));
    const forwarded = { 'X-Forwarded-For': '203.0.113.9' };
    expect((await app.get('/metrics').set(forwarded).set(bearer(token))).status).to.equal(200);
    expect(
      (
        await app
          .get('/metrics')
          .set(forwarded)
          .set(bearer(`${token}x`))
      ).status,
    ).to.equal(404);
    expect((await app.get('/metrics').set(forwarded).set('Authorization', token)).status).to.equal(404);
  });
});
