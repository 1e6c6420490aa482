import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { User } from '../models/user.model.js';
import { Matchmaker } from '../services/match/matchmaker.js';
import { RedisQueueStore } from '../services/match/queue.store.js';
import { MemoryPresenceStore } from '../services/presence/presence.store.js';
import supertest from 'supertest';
import { connectRedis, type RedisClient } from '../services/redis.service.js';
import { emitAck, nextEvent } from './support/chat.js';
import { within } from './support/eventually.js';
import { startServer, type StartedServer } from './support/process.js';
import { hasRedisServer, PrivateRedis } from './support/redis-server.js';
import { connectClient, type TestSocket } from './support/socket-server.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

/**
 * The match queue when Redis goes away or stalls, on a real server process and a Redis of the
 * test's own: nothing a member asks for waits on it for long (a join is refused with a code to
 * retry on; a block, an unblock, signing out everywhere answer at once), and what the queue
 * must hold about a pair (kept apart or not) is written when Redis is back, the latest word last.
 */
describe('matchmaking through a Redis outage or stall', function () {
  this.timeout(90_000);
  let redis: PrivateRedis;
  let server: StartedServer | undefined;
  let watcher: RedisClient | undefined;
  const sockets: TestSocket[] = [];

  before(function () {
    if (!hasRedisServer()) this.skip();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && server) console.log(server.output().slice(-4000));
    for (const s of sockets.splice(0)) s.close();
    watcher?.destroy();
    watcher = undefined;
    if (server) {
      server.child.kill('SIGTERM');
      await within(15_000, server.exited, 'the server exiting').catch(() => server?.child.kill('SIGKILL'));
      server = undefined;
    }
    redis?.resume();
    await redis?.stop();
  });

  const serve = async () => {
    server = await startServer(process.env.MONGODB_URI!, { REDIS_URL: redis.url, ENABLE_JOBS: 'false' });
    return server;
  };
  /** Someone available for matching on the server, with a socket, who fits the others of `tag`. */
  const ready = async (tag: string) => {
    const user = await signupUser({ interests: [tag] });
    await supertest(server!.url)
      .patch('/api/v1/users/me/status')
      .set(bearer(user.accessToken))
      .send({ availableForMatching: true })
      .expect(200);
    const socket = await connectClient(server!.url, { auth: { token: user.accessToken } });
    sockets.push(socket);
    return { user, socket };
  };
  const tagFor = () => `mo${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const join = (socket: TestSocket, tag: string) => emitAck(socket, 'match:join', { mode: 'chat', interests: [tag] }, 15_000);
  /** The pairs the queue keeps `user` from, with when each ends (ms). */
  const keptFrom = async (user: SignedUp) => {
    const [key] = await watcher!.keys(`*mq:avoid:${user.id}`);
    return key ? (await watcher!.zRangeWithScores(key, 0, -1)).map((e) => [e.value, e.score] as const) : [];
  };
  const block = (by: SignedUp, who: SignedUp, method: 'post' | 'delete') =>
    supertest(server!.url)[method](`/api/v1/users/${who.id}/block`).set(bearer(by.accessToken));

  it('answers a join, a block and an unblock at once while Redis is away, and keeps the latest word after', async () => {
    redis = await PrivateRedis.start({ durable: true });
    await serve();
    const tag = tagFor();
    const [ana, ben, cal] = [await ready(tag), await ready(tag), await ready(tag)];

    await redis.kill();
    // A join is refused at once with a code to retry on, not held until Redis is back.
    const refused = await within(4000, join(ana.socket, tag), "ana's join answered");
    expect(refused.ok).to.equal(false);
    expect(refused.error).to.deep.equal({
      code: 'MATCHING_UNAVAILABLE',
      message: 'Matchmaking is unavailable right now: try again shortly',
    });
    // The database holds blocks: they are made (and lifted) whatever Redis does.
    expect((await within(4000, block(ana.user, cal.user, 'post'), 'a block answered')).status).to.equal(204);
    expect((await within(4000, block(ana.user, ben.user, 'post'), 'a block answered')).status).to.equal(204);
    expect((await within(4000, block(ana.user, ben.user, 'delete'), 'an unblock answered')).status).to.equal(204);
    const signedOut = await within(
      4000,
      supertest(server!.url).post('/api/v1/auth/logout-all').set(bearer(cal.user.accessToken)),
      'signing out everywhere',
    );
    expect(signedOut.status).to.equal(200);

    // Back: the block that stands reaches the queue; the lifted one leaves nothing behind.
    await redis.up();
    watcher = await connectRedis(redis.url);
    await within(
      20_000,
      (async () => {
        while (!(await keptFrom(ana.user)).some(([id]) => id === cal.user.id)) await new Promise((r) => setTimeout(r, 200));
      })(),
      'the block reaching the queue',
    );
    const apart = await keptFrom(ana.user);
    // Kept apart for the block's day, counted from when it was made.
    expect(apart.map(([id]) => id)).to.deep.equal([cal.user.id]);
    expect(apart[0]![1]).to.be.within(Date.now() + 23.9 * 3600_000, Date.now() + 24 * 3600_000);
    // Ana and ben, blocked and unblocked meanwhile, are matched as anyone would be.
    const found = nextEvent(ben.socket, 'match:found', undefined, 15_000);
    expect((await join(ana.socket, tag)).ok).to.equal(true);
    expect((await join(ben.socket, tag)).ok).to.equal(true);
    expect((await found).partner.id).to.equal(ana.user.id);
  });

  it('refuses a join that a stalled Redis holds past its wait, and leaves no ticket of it behind', async () => {
    redis = await PrivateRedis.start();
    await serve();
    const tag = tagFor();
    const [ana, ben] = [await ready(tag), await ready(tag)];

    redis.pause();
    let refused;
    let refusedAtOnce;
    try {
      refused = await within(8000, join(ana.socket, tag), "ana's join answered");
      // Redis is in doubt now: ben's join is refused without waiting (nothing of it sent), while
      // Redis is still stalled.
      refusedAtOnce = await within(900, join(ben.socket, tag), "ben's join answered");
    } finally {
      redis.resume();
    }
    expect(refused.error?.code).to.equal('MATCHING_UNAVAILABLE');
    expect(refusedAtOnce.error?.code).to.equal('MATCHING_UNAVAILABLE');
    // Redis runs what it was sent, in order: ana's late ticket, then its removal. Ben, trying
    // again as clients do until the queue answers, is the only one waiting.
    let joined = await join(ben.socket, tag);
    for (let tries = 0; joined.error?.code === 'MATCHING_UNAVAILABLE' && tries < 20; tries++) {
      await new Promise((r) => setTimeout(r, 250));
      joined = await join(ben.socket, tag);
    }
    expect(joined).to.deep.equal({ ok: true, data: { position: 1 } });
    watcher = await connectRedis(redis.url);
    const [tickets] = await watcher.keys('*mq:tickets:chat');
    expect(await watcher.hKeys(tickets!)).to.deep.equal([ben.user.id]);
  });

  it("takes out a refused join's late ticket, never a newer join's", async () => {
    // On the matchmaker itself: through a socket, the join's budget asks Redis first, and the
    // join's own write is then refused at once; here the write is the stall's first command.
    redis = await PrivateRedis.start();
    watcher = await connectRedis(redis.url);
    const prefix = `mo:${randomBytes(4).toString('hex')}:`;
    const online = new MemoryPresenceStore();
    const matchmaker = new Matchmaker(new RedisQueueStore(watcher, prefix), online);
    const tag = tagFor();
    const ana = await signupUser({ interests: [tag] });
    await User.updateOne({ _id: ana.id }, { $set: { availableForMatching: true } });
    await online.add(ana.id, 'her phone');
    const join = () => matchmaker.join(ana.id, { mode: 'chat', interests: [tag] });

    // Two joins while Redis stalls (a double tap): the first is refused after its wait, the
    // second, sent before that, is answered once Redis runs again, after the first's late ticket.
    redis.pause();
    let secondAt = 0;
    const second = (async () => {
      await new Promise((r) => setTimeout(r, 1500));
      secondAt = Date.now();
      return join();
    })();
    let first: unknown;
    try {
      first = await within(
        9000,
        join().catch((err: unknown) => err),
        'the first join answered',
      );
    } finally {
      redis.resume();
    }
    expect((first as { code?: string }).code).to.equal('MATCHING_UNAVAILABLE');
    expect(await second).to.deep.equal({ position: 1 });
    // The first's withdrawal (retried once Redis answers) ran after the second's ticket, and left it.
    await new Promise((r) => setTimeout(r, 3000));
    const tickets = `${prefix}tickets:chat`;
    expect(await watcher.hKeys(tickets)).to.deep.equal([ana.id]);
    const held = JSON.parse((await watcher.hGet(tickets, ana.id))!) as { joinedAt: number };
    expect(held.joinedAt).to.be.at.least(secondAt);
  });
});
