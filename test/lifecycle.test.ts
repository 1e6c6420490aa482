import { expect } from 'chai';
import { config } from '../config/index.js';
import { Call } from '../models/call.model.js';
import { User } from '../models/user.model.js';
import { closeRedis, connectRedis } from '../services/redis.service.js';
import { Conversation } from '../models/conversation.model.js';
import { clientId, emitAck, nextEvent } from './support/chat.js';
import { hasRedisServer, PrivateRedis } from './support/redis-server.js';
import { connectClient, type TestSocket } from './support/socket-server.js';
import { connect } from './support/connections.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';
import { io as connectSocket } from 'socket.io-client';
import supertest from 'supertest';
import { eventually, within } from './support/eventually.js';
import { startOutageDatabase, type OutageDatabase } from './support/outage-db.js';
import { startServer, type StartedServer } from './support/process.js';
import { newSignup } from './support/users.js';

describe('server lifecycle (real processes)', function () {
  this.timeout(120_000);

  describe('database outage', () => {
    let db: OutageDatabase;
    let server: StartedServer;
    const http = () => supertest(server.url);

    before(async () => {
      db = await startOutageDatabase();
      // On a free port, ready when it returns; if it never gets ready, its output says why.
      // A slow machine may take a while to start it (and this database): a minute, as before.
      // A short presence grace: the presence test below has someone leave during the outage.
      server = await startServer(db.uri, { PRESENCE_GRACE_MS: '300' }, 'the server on the outage database', 60_000);
    });
    after(async () => {
      server.child.kill('SIGKILL');
      await db.destroy();
    });

    it('answers 503 at once while the database is down, and recovers by itself', async () => {
      const input = newSignup();
      const signedUp = await http().post('/api/v1/auth/signup').send(input);
      expect(signedUp.status).to.equal(201);
      const me = () => http().get('/api/v1/auth/me').set(bearer(signedUp.body.accessToken)).timeout(2000);

      await db.stop();
      await eventually(async () => (await http().get('/readyz').timeout(3000)).status === 503, 30_000, 'readiness to fail');
      const ready = await http().get('/readyz').timeout(3000);
      expect(ready.body).to.deep.include({ status: 'unavailable' });
      // A deadline, not a benchmark: the API must refuse quickly instead of queueing.
      const login = await http()
        .post('/api/v1/auth/login')
        .timeout(2000)
        .send({ identifier: input.email, password: input.password });
      expect(login.status).to.equal(503);
      expect(login.body.error.code).to.equal('DATABASE_UNAVAILABLE');
      expect(login.headers['retry-after']).to.equal('5');
      const read = await me();
      expect([read.status, read.body.error?.code]).to.deep.equal([503, 'DATABASE_UNAVAILABLE']);
      expect((await http().get('/healthz')).status).to.equal(200);

      await db.restart();
      await eventually(async () => (await http().get('/readyz')).status === 200, 30_000, 'readiness to recover');
      const after = await http().post('/api/v1/auth/login').send({ identifier: input.email, password: input.password });
      expect(after.status).to.equal(200);
      const again = await me();
      expect([again.status, again.body.user?.id]).to.deep.equal([200, signedUp.body.user.id]);
    });

    it('a friend who left while the database was down is told offline once it is back', async () => {
      const [ana, ben] = await Promise.all(
        [newSignup(), newSignup()].map(async (input) => (await http().post('/api/v1/auth/signup').send(input)).body),
      );
      const swipe = (from: { accessToken: string }, to: { user: { id: string } }) =>
        http().post(`/api/v1/connections/${to.user.id}`).set(bearer(from.accessToken)).send({ action: 'interested' });
      expect((await swipe(ana, ben)).status).to.equal(201);
      expect((await swipe(ben, ana)).body.matched).to.equal(true);
      const socketOf = async (who: { accessToken: string }) => {
        const socket = connectSocket(server.url, {
          auth: { token: who.accessToken },
          transports: ['websocket'],
          reconnection: false,
        });
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        return socket;
      };
      const anaSocket = await socketOf(ana);
      const benSocket = await socketOf(ben);
      const heard: { userId: string; online: boolean }[] = [];
      anaSocket.on('presence:changed', (change: { userId: string; online: boolean }) => void heard.push(change));
      try {
        await db.stop();
        await eventually(async () => (await http().get('/readyz').timeout(3000)).status === 503, 30_000, 'readiness to fail');
        const logged = server.output().length;
        benSocket.disconnect();
        // Ben's last-seen write and the announcement both fail while the database is away.
        await eventually(
          () => server.output().slice(logged).includes('presence announcements failed'),
          60_000,
          'the offline announcement to fail',
        );
        await db.restart();
        await eventually(
          () => heard.some((c) => c.userId === ben.user.id && !c.online),
          60_000,
          'ana to hear that ben is offline',
        );
      } finally {
        anaSocket.disconnect();
        benSocket.disconnect();
      }
    });
  });

  describe('graceful shutdown', () => {
    it('finishes in-flight requests, disconnects sockets, closes the database and exits 0 on SIGTERM', async () => {
      // A high bcrypt cost makes the signup slow enough to be in flight when the signal lands.
      const server = await startServer(process.env.MONGODB_URI!, { BCRYPT_COST: '13' });
      const http = () => supertest(server.url);

      const u = await http()
        .post('/api/v1/auth/signup')
        .send(newSignup({ password: 'slow password' }));
      const socket = connectSocket(server.url, {
        auth: { token: u.body.accessToken },
        transports: ['websocket'],
        reconnection: false,
      });
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));

      const inFlight = http().post('/api/v1/auth/login').send({ identifier: u.body.user.email, password: 'slow password' });
      const pending = inFlight.then((r) => r);
      // The scenario, not a wait for an outcome: the signal lands while the login is being
      // worked, well after it reached the server and well inside its bcrypt time (cost 13).
      await new Promise((r) => setTimeout(r, 100));
      server.child.kill('SIGTERM');

      const res = await pending;
      expect(res.status).to.equal(200);
      // Closed under the client, so a client with reconnection on goes to another process.
      expect(await disconnected).to.equal('transport close');
      expect(await server.exited, server.output().slice(-3000)).to.equal(0);
      expect(server.output()).to.include('"message":"stopped"');
      // The login was still being worked when the signal landed: its line comes after "shutting down".
      const out = server.output();
      const [stopping, answered] = ['"message":"shutting down"', '"path":"/api/v1/auth/login"'].map((s) => out.indexOf(s));
      expect(stopping, 'shutting down logged').to.be.at.least(0);
      expect(answered, 'the login answered after the signal').to.be.greaterThan(stopping!);
      // The local default mail provider wrote the verification mail to the log.
      expect(server.output()).to.include('"message":"mail (log provider)"');
      socket.close();
    });
  });

  describe('shutdown on a Redis that stalls', () => {
    it("exits within pm2's kill timeout and stores the last sends' conversation tails", async function () {
      if (!hasRedisServer()) this.skip();
      const redis = await PrivateRedis.start();
      // Connections get 3 s to close, the steps after them 4 s (server.ts): pm2 kills at 15 s
      // with the default 10 s, so the process must be gone within 7 s and a moment here.
      const server = await startServer(process.env.MONGODB_URI!, {
        REDIS_URL: redis.url,
        ENABLE_JOBS: 'false',
        SHUTDOWN_TIMEOUT_MS: '3000',
      });
      try {
        const [ana, ben] = await Promise.all([signupUser(), signupUser()]);
        await connect(ana, ben);
        const socket = await connectClient(server.url, { auth: { token: ana.accessToken } });
        const sent = await emitAck(socket, 'chat:send', { toUserId: ben.id, text: 'the last word', clientMessageId: clientId() });
        expect(sent.ok).to.equal(true);
        // Its tail is written behind (within 500 ms): Redis stalls and the signal lands first.
        redis.pause();
        const signalled = Date.now();
        server.child.kill('SIGTERM');
        const code = await within(30_000, server.exited, 'the server exiting');
        const took = Date.now() - signalled;
        expect(took, `exit after ${took} ms\n${server.output().slice(-3000)}`).to.be.below(9000);
        expect(code).to.equal(0);
        const stored = await Conversation.findById(sent.data!.conversationId, { lastMessage: 1 }).lean();
        expect(String(stored?.lastMessage?.id)).to.equal(sent.data!.id);
        socket.close();
      } finally {
        server.child.kill('SIGKILL');
        redis.resume();
        await redis.stop();
      }
    });
  });

  describe('shutdown with sockets in use', () => {
    it('lets disconnect handling finish before the database and Redis close: presence, queue and calls are left clean', async function () {
      if (!config.redisUrl) this.skip();
      const prefix = `rl:test:shutdown:${Date.now().toString(36)}:`;
      const server = await startServer(process.env.MONGODB_URI!, {
        REDIS_URL: config.redisUrl!,
        RATE_LIMIT_PREFIX: prefix,
        PRESENCE_GRACE_MS: '60000',
        ENABLE_JOBS: 'false',
      });
      const url = server.url;
      const http = () => supertest(url);
      const tag = `sd${Date.now().toString(36)}`;
      // People made through the test's own app, on the same database the server uses.
      const people = await Promise.all([0, 1, 2].map(() => signupUser({ interests: [tag] })));
      const [ana, ben, cara] = people as [SignedUp, SignedUp, SignedUp];
      await http().patch('/api/v1/users/me/status').set(bearer(ana.accessToken)).send({ availableForMatching: true }).expect(200);
      await connect(ben, cara);
      const sockets = await Promise.all(people.map((p) => connectClient(url, { auth: { token: p.accessToken } })));
      const [anaSocket, benSocket, caraSocket] = sockets as [TestSocket, TestSocket, TestSocket];
      expect((await emitAck(anaSocket, 'match:join', { mode: 'chat', interests: [tag] })).ok).to.equal(true);
      const incoming = nextEvent(caraSocket, 'call:incoming');
      const rang = await emitAck(benSocket, 'call:ring', { toUserId: cara.id, mode: 'video' });
      await incoming;

      server.child.kill('SIGTERM');
      expect(await server.exited, server.output().slice(-3000)).to.equal(0);
      expect(server.output(), server.output().slice(-4000)).to.not.include('disconnect handling failed');
      const redis = await connectRedis(config.redisUrl!);
      try {
        for (const p of people) expect(await redis.sCard(`${prefix}presence:${p.id}`), 'presence of a closed socket').to.equal(0);
        expect(Number(await redis.hExists(`${prefix}mq:tickets:chat`, ana.id)), 'a ticket without a socket').to.equal(0);
      } finally {
        await closeRedis(redis);
      }
      expect((await Call.findById(rang.data.callId).lean())?.status).to.equal('ended');
      // The grace period still running at shutdown ended with it: everyone was last seen then.
      const seen = await User.find({ _id: { $in: people.map((p) => p.id) } }, { lastSeenAt: 1 }).lean();
      expect(seen.every((u) => u.lastSeenAt instanceof Date)).to.equal(true);
      for (const socket of sockets) socket.close();
    });
  });
});
