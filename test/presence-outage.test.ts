import { expect } from 'chai';
import supertest from 'supertest';
import { io as ioConnect } from 'socket.io-client';
import { RedisPresenceStore } from '../services/presence/presence.store.js';
import { connectRedis } from '../services/redis.service.js';
import { collect, eventually, nextEvent } from './support/chat.js';
import { within } from './support/eventually.js';
import { connect } from './support/connections.js';
import { startServer, type StartedServer } from './support/process.js';
import { hasRedisServer, PrivateRedis } from './support/redis-server.js';
import { connectClient, type TestSocket } from './support/socket-server.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

/**
 * Presence when Redis goes away or stalls, or a process stalls, on real server processes and a
 * Redis of the test's own. Writes made meanwhile fail or are refused (or may run late); what
 * each process holds must win once Redis is back.
 */
describe('presence through a Redis outage and a stalled process', function () {
  this.timeout(90_000);
  let redis: PrivateRedis;
  const servers: StartedServer[] = [];
  const sockets: TestSocket[] = [];

  before(function () {
    if (!hasRedisServer()) this.skip();
  });
  afterEach(async function () {
    // What the processes said is the only account of what they did.
    if (this.currentTest?.state === 'failed') for (const s of servers) console.log(s.output().slice(-4000));
    for (const s of sockets.splice(0)) s.close();
    await Promise.all(
      servers.splice(0).map(async (s) => {
        s.child.kill('SIGCONT');
        s.child.kill('SIGTERM');
        // A shutdown held up by what the test broke is not what it tests.
        await within(15_000, s.exited, 'the server exiting').catch(() => s.child.kill('SIGKILL'));
        await s.exited;
      }),
    );
    await redis?.stop();
  });

  const serve = async (env: Record<string, string>) => {
    const server = await startServer(process.env.MONGODB_URI!, { REDIS_URL: redis.url, ENABLE_JOBS: 'false', ...env });
    servers.push(server);
    return server;
  };
  const on = async (server: StartedServer, u: SignedUp) => {
    const socket = await connectClient(server.url, { auth: { token: u.accessToken } });
    sockets.push(socket);
    return socket;
  };
  const presenceOf = async (server: StartedServer, viewer: SignedUp, ids: string[]) => {
    const res = await supertest(server.url)
      .get('/api/v1/presence')
      .query({ ids: ids.join(',') })
      .set(bearer(viewer.accessToken));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.presence.map((p: { userId: string; online: boolean }) => [p.userId, p.online]);
  };

  it('tells friends of someone who left while Redis was away, and counts no one it turned away', async () => {
    redis = await PrivateRedis.start({ durable: true });
    const server = await serve({ PRESENCE_GRACE_MS: '300', PRESENCE_HEARTBEAT_MS: '1000' });
    const [ana, ben, cal] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    await connect(ana, ben);
    await connect(cal, ben);
    const benSocket = await on(server, ben);
    const anaOnline = nextEvent(benSocket, 'presence:changed', (p) => p.userId === ana.id && p.online);
    const anaSocket = await on(server, ana);
    await anaOnline;

    // Redis goes away with everything on disk; ana leaves while it is gone.
    await redis.kill();
    const anaOffline = nextEvent(benSocket, 'presence:changed', (p) => p.userId === ana.id && !p.online, 60_000);
    anaSocket.close();
    // Cal comes meanwhile: his socket cannot be counted (the client is not connected), so it is
    // turned away at once, with a code a client retries on.
    const calTries = connectClient(server.url, { auth: { token: cal.accessToken } }).then(
      (s) => (sockets.push(s), 'connected'),
      (err: Error & { data?: { code?: string } }) => [err.data?.code, err.message],
    );
    const cal1 = await within(10_000, calTries, "cal's connection answered");
    // A code to retry on, and nothing of Redis's own error.
    expect(cal1).to.deep.equal(['REALTIME_UNAVAILABLE', 'Live connections cannot be counted right now: try again shortly']);

    // Back with what it held before (ana's socket among it): the process's own view wins.
    await redis.up();
    expect((await anaOffline).lastSeenAt).to.be.a('string');
    expect(await presenceOf(server, ben, [ana.id, cal.id])).to.deep.equal([
      [ana.id, false],
      [cal.id, false],
    ]);
    // And presence works as before: cal's next try is counted and told.
    const calOnline = nextEvent(benSocket, 'presence:changed', (p) => p.userId === cal.id && p.online);
    await on(server, cal);
    await calOnline;
    expect(await presenceOf(server, ben, [cal.id])).to.deep.equal([[cal.id, true]]);
  });

  it('answers the presence batch while Redis stalls or is away: online not known (null), not an error or a wait', async () => {
    redis = await PrivateRedis.start();
    const server = await serve({ PRESENCE_GRACE_MS: '300', PRESENCE_HEARTBEAT_MS: '1000' });
    const [ana, ben] = await Promise.all([signupUser(), signupUser()]);
    await connect(ana, ben);
    await on(server, ana);
    expect(await presenceOf(server, ben, [ana.id])).to.deep.equal([[ana.id, true]]);

    redis.pause();
    try {
      // The first read waits its second for an answer; the next ones are refused unsent (or,
      // one a second, wait theirs as a probe).
      // (Deadlines, not benchmarks: each waited 5 s and answered 500 before.)
      expect(await within(4000, presenceOf(server, ben, [ana.id]), 'the first batch in the stall')).to.deep.equal([
        [ana.id, null],
      ]);
      expect(await within(2500, presenceOf(server, ben, [ana.id]), 'the next batch')).to.deep.equal([[ana.id, null]]);
    } finally {
      redis.resume();
    }
    await eventually(async () => (await presenceOf(server, ben, [ana.id]))[0][1] === true, 10_000, 'presence known again');

    await redis.kill();
    expect(await within(1000, presenceOf(server, ben, [ana.id]), 'a batch with Redis away')).to.deep.equal([[ana.id, null]]);
  });

  it('tells friends again of someone online on a process the others swept while it stalled', async () => {
    redis = await PrivateRedis.start();
    // Quick heartbeats: a process that misses four (800 ms) is swept by the other.
    const env = { PRESENCE_GRACE_MS: '300', PRESENCE_HEARTBEAT_MS: '200' };
    const [stalling, other] = [await serve(env), await serve(env)];
    const [ana, ben] = await Promise.all([signupUser(), signupUser()]);
    await connect(ana, ben);
    const benSocket = await on(other, ben);
    const anaOnline = nextEvent(benSocket, 'presence:changed', (p) => p.userId === ana.id && p.online);
    await on(stalling, ana);
    await anaOnline;

    const anaSwept = nextEvent(benSocket, 'presence:changed', (p) => p.userId === ana.id && !p.online, 10_000);
    stalling.child.kill('SIGSTOP');
    try {
      await anaSwept;
    } finally {
      stalling.child.kill('SIGCONT');
    }
    // Her socket never closed: the stalled process puts it back and says so.
    await nextEvent(benSocket, 'presence:changed', (p) => p.userId === ana.id && p.online, 10_000);
    expect(await presenceOf(other, ben, [ana.id])).to.deep.equal([[ana.id, true]]);
  });

  it('does not count a socket that closed while the handshake waited on a stalled Redis', async () => {
    redis = await PrivateRedis.start();
    const server = await serve({ PRESENCE_GRACE_MS: '300', PRESENCE_HEARTBEAT_MS: '1000' });
    const [ben, cal] = await Promise.all([signupUser(), signupUser()]);
    await connect(cal, ben);
    const benSocket = await on(server, ben);
    const calOnline = nextEvent(benSocket, 'presence:changed', (p) => p.userId === cal.id && p.online, 15_000);
    const calOffline = nextEvent(benSocket, 'presence:changed', (p) => p.userId === cal.id && !p.online, 15_000);

    // Redis stalls (its connections stay open); cal's handshake waits on it, and cal gives up.
    redis.pause();
    const calSocket = ioConnect(server.url, { transports: ['websocket'], reconnection: false, auth: { token: cal.accessToken } });
    await new Promise((resolve) => calSocket.io.once('open', () => resolve(undefined)));
    await new Promise((r) => setTimeout(r, 300)); // its CONNECT packet reaches the middleware
    calSocket.close();
    // Redis answers again within its 5 s: the count of the closed socket goes through, and is taken back.
    redis.resume();
    await calOnline;
    await calOffline;
    expect(await presenceOf(server, ben, [cal.id])).to.deep.equal([[cal.id, false]]);
  });

  it('takes no process for dead for the beats everyone missed in a Redis outage', async () => {
    redis = await PrivateRedis.start({ durable: true });
    // A process missing four beats (4 s) is taken for dead; the outage lasts longer than that.
    // No grace: someone swept would be told offline at once, before their process repairs.
    const env = { PRESENCE_GRACE_MS: '0', PRESENCE_HEARTBEAT_MS: '1000' };
    const [first, second] = [await serve(env), await serve(env)];
    const [ana, ben, cal, dan] = await Promise.all([signupUser(), signupUser(), signupUser(), signupUser()]);
    for (const friend of [ana, cal, dan]) await connect(friend, ben);
    const benSocket = await on(second, ben);
    const online = [ana, cal, dan].map((u) => nextEvent(benSocket, 'presence:changed', (p) => p.userId === u.id && p.online));
    // Someone on each process: whichever is back first would sweep the other.
    await on(first, ana);
    await on(second, dan);
    const calSocket = await on(first, cal);
    await Promise.all(online);
    const heard = collect(benSocket, 'presence:changed');

    await redis.kill();
    await new Promise((r) => setTimeout(r, 5000));
    // The first process is back first for sure: the second is held still until the first has beaten.
    second.child.kill('SIGSTOP');
    await redis.up();
    const watcher = await connectRedis(redis.url);
    try {
      const [alive] = await watcher.keys('*presence:alive');
      // A deadline more than 2 s ahead is 4 s from a beat made after the 5 s outage.
      const beaten = async (n: number) => (await watcher.zRangeByScore(alive!, Date.now() + 2000, '+inf')).length === n;
      await eventually(() => beaten(1), 15_000, 'the first process beating');
      second.child.kill('SIGCONT');
      await eventually(() => beaten(2), 15_000, 'both beating');
    } finally {
      watcher.destroy();
    }
    const calOffline = nextEvent(benSocket, 'presence:changed', (p) => p.userId === cal.id && !p.online, 10_000);
    calSocket.close();
    await calOffline;
    expect(heard.filter((p) => p.userId !== cal.id)).to.deep.equal([]);
    expect(await presenceOf(second, ben, [ana.id, dan.id])).to.deep.equal([
      [ana.id, true],
      [dan.id, true],
    ]);
  });

  it('says in one step whether any of many people has a socket in any process, and is unavailable while Redis is away', async () => {
    redis = await PrivateRedis.start();
    const [clientA, clientB] = [await connectRedis(redis.url), await connectRedis(redis.url)];
    try {
      const [here, there] = [new RedisPresenceStore(clientA, 'p:'), new RedisPresenceStore(clientB, 'p:')];
      const many = Array.from({ length: 5000 }, (_, i) => `u${i}`);
      expect(await here.anyOnline([])).to.equal(false);
      expect(await here.anyOnline(many)).to.equal(false);
      // The last of them, on the other process.
      await there.add('u4999', 's1');
      expect(await here.anyOnline(many)).to.equal(true);
      expect(await here.anyOnline(many.slice(0, 4999))).to.equal(false);
      // Another prefix's people are other people.
      expect(await new RedisPresenceStore(clientA, 'q:').anyOnline(many)).to.equal(false);
      await there.remove('u4999', 's1');
      expect(await here.anyOnline(many)).to.equal(false);

      await redis.kill();
      const refused = await here.anyOnline(many).then(
        () => 'answered',
        (err: Error) => err.constructor.name,
      );
      expect(refused).to.equal('PresenceUnavailableError');
    } finally {
      clientA.destroy();
      clientB.destroy();
    }
  });

  it('puts a swept process back even when the answer to its first beat after is lost', async () => {
    redis = await PrivateRedis.start();
    const [clientA, clientB] = [await connectRedis(redis.url), await connectRedis(redis.url)];
    try {
      const [stalled, sweeper] = [new RedisPresenceStore(clientA, 'p:'), new RedisPresenceStore(clientB, 'p:')];
      await stalled.beat(Date.now() + 60_000);
      await stalled.add('ana', 's1');
      await stalled.beat(Date.now() - 1);
      expect(await sweeper.sweepDead(Date.now())).to.deep.equal(['ana']);

      // Its next beat runs, but its answer never comes back in time (Redis stalls past 5 s).
      redis.pause();
      const lost = stalled.beat(Date.now() + 60_000).then(
        () => 'answered',
        () => 'lost',
      );
      await new Promise((r) => setTimeout(r, 5500));
      redis.resume();
      expect(await lost).to.equal('lost');
      // It did run (the process is listed again), and put nothing back.
      expect(await clientB.zScore('p:alive', stalled.processId)).to.not.equal(null);
      expect(await clientB.sCard('p:ana')).to.equal(0);
      // The beat after still knows it was swept, from Redis: ana's socket comes back, and is told.
      expect(await stalled.beat(Date.now() + 60_000)).to.deep.equal({ back: ['ana'], gone: [] });
      expect(await stalled.count('ana')).to.equal(1);
    } finally {
      clientA.destroy();
      clientB.destroy();
    }
  });
});
