import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import supertest from 'supertest';
import { config } from '../config/index.js';
import { closeRedis, connectRedis } from '../services/redis.service.js';
import { clientId, collect, emitAck, eventually, nextEvent } from './support/chat.js';
import { connect } from './support/connections.js';
import { startServer, type Spawned } from './support/process.js';
import { connectClient, type TestSocket } from './support/socket-server.js';
import { api } from './support/app.js';
import { photoCheckAsNginx, readingOf, setReading, unreadAsNginx } from './support/upload-check.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

/**
 * Two real server processes on different ports sharing one Redis (as pm2 runs them
 * behind nginx): what happens on one reaches sockets on the other.
 */
describe('two processes behind one Redis', function () {
  this.timeout(60_000);
  const servers: Spawned[] = [];
  const sockets: TestSocket[] = [];
  const urls: string[] = [];
  // Quick heartbeats, so a process killed outright is swept within a second.
  // Typing indicators that outlive the test: a stop heard is a stop told, not one lapsing.
  const clusterEnv = () => ({
    REDIS_URL: config.redisUrl!,
    ENABLE_JOBS: 'false',
    PRESENCE_HEARTBEAT_MS: '200',
    TYPING_TTL_MS: '60000',
    // As behind nginx: the proxy's request id names an upload for its check and its give-back.
    TRUST_PROXY: 'loopback',
    // The test's own picture size: a day's reading of pictures is the same there.
    UPLOAD_MAX_BYTES: String(config.uploads.maxBytes),
  });

  before(async function () {
    if (!config.redisUrl) {
      console.warn('    REDIS_URL is not set: the two-process tests are skipped');
      this.skip();
    }
    for (const i of [1, 2]) {
      const server = await startServer(process.env.MONGODB_URI!, clusterEnv(), `server ${i}`);
      servers.push(server);
      urls.push(server.url);
    }
  });
  after(async () => {
    for (const s of sockets) s.close();
    for (const s of servers) s.child.kill('SIGTERM');
    await Promise.all(servers.map((s) => s.exited));
  });

  const on = async (server: number, token: string) => {
    const socket = await connectClient(urls[server]!, { auth: { token } });
    sockets.push(socket);
    return socket;
  };

  it('delivers messages, typing, reads, reactions and presence across processes', async () => {
    const [ana, ben] = await Promise.all([signupUser(), signupUser()]);
    await connect(ana, ben);
    const benOn2 = await on(1, ben.accessToken);
    const anaOnline = nextEvent(benOn2, 'presence:changed', (p) => p.userId === ana.id && p.online);
    const anaOn1 = await on(0, ana.accessToken);
    await anaOnline;

    const got = nextEvent(benOn2, 'chat:message');
    const sent = await emitAck(anaOn1, 'chat:send', {
      toUserId: ben.id,
      clientMessageId: clientId(),
      text: 'across',
    });
    expect(sent.ok, JSON.stringify(sent)).to.equal(true);
    expect(await got).to.include({ id: sent.data.id, text: 'across' });

    const typing = nextEvent(benOn2, 'chat:typing', (p) => p.isTyping);
    await emitAck(anaOn1, 'chat:typing', { conversationId: sent.data.conversationId, isTyping: true });
    await typing;

    const read = nextEvent(anaOn1, 'chat:read');
    await emitAck(benOn2, 'chat:read', { conversationId: sent.data.conversationId, upToMessageId: sent.data.id });
    expect((await read).userId).to.equal(ben.id);

    const reaction = nextEvent(anaOn1, 'chat:reaction');
    await emitAck(benOn2, 'chat:react', { messageId: sent.data.id, emoji: '🎉' });
    expect((await reaction).emoji).to.equal('🎉');

    // A second device of ben on the other process gets the next message too, once.
    const benOn1 = await on(0, ben.accessToken);
    const seen = collect(benOn1, 'chat:message');
    const onOther = collect(benOn2, 'chat:message');
    const second = await emitAck(anaOn1, 'chat:send', {
      toUserId: ben.id,
      clientMessageId: clientId(),
      text: 'both',
    });
    await eventually(() => onOther.some((m) => m.id === second.data.id), 4000, 'the second message on the other process');
    // A third message heard on both devices: a duplicate of the second would have come first.
    const third = await emitAck(anaOn1, 'chat:send', {
      toUserId: ben.id,
      clientMessageId: clientId(),
      text: 'then',
    });
    await eventually(() => [seen, onOther].every((list) => list.some((m) => m.id === third.data.id)), 4000, 'the third message');
    expect(seen.map((m) => m.id)).to.deep.equal([second.data.id, third.data.id]);
    expect(onOther.map((m) => m.id)).to.deep.equal([second.data.id, third.data.id]);

    const offline = nextEvent(benOn2, 'presence:changed', (p) => p.userId === ana.id && !p.online);
    anaOn1.close();
    await offline;
  });

  it("tells a typing stop heard by the other process than the start once, by the start's mark in Redis, and typing on after it", async () => {
    const [ana, ben] = await Promise.all([signupUser(), signupUser()]);
    await connect(ana, ben);
    const benOn2 = await on(1, ben.accessToken);
    const anaOn1 = await on(0, ana.accessToken);
    const sent = await emitAck(anaOn1, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'hi' });
    expect(sent.ok, JSON.stringify(sent)).to.equal(true);
    const typing = nextEvent(benOn2, 'chat:typing', (p) => p.isTyping);
    await emitAck(anaOn1, 'chat:typing', { conversationId: sent.data.conversationId, isTyping: true });
    await typing;
    // The start told is marked in Redis for the other process.
    const redis = await connectRedis(config.redisUrl!);
    const mark = `${config.limits.prefix}typing:${sent.data.conversationId}:${ana.id}`;
    await eventually(async () => (await redis.get(mark)) !== null, 2000, 'the typing mark');
    // Ana stops on her other device, on the other process (which never heard her start): ben hears
    // it; the same stop again is nothing new, and is not told (the start's mark in Redis is taken).
    const anaOn2 = await on(1, ana.accessToken);
    const typingHeard = collect(benOn2, 'chat:typing');
    const stopOn = (socket: TestSocket) =>
      emitAck(socket, 'chat:typing', { conversationId: sent.data.conversationId, isTyping: false });
    await stopOn(anaOn2);
    await eventually(() => typingHeard.length === 1, 4000, 'the stop from the other process');
    // Told by the mark, which it took.
    expect(await redis.get(mark)).to.equal(null);
    await stopOn(anaOn2);
    // She types on in her first device, moments after its start: ben sees her typing again at
    // once (the renewal is told, as the mark it had was taken), and the mark is back.
    await emitAck(anaOn1, 'chat:typing', { conversationId: sent.data.conversationId, isTyping: true });
    await eventually(() => typingHeard.length >= 2, 4000, 'the renewal after the stop elsewhere');
    expect(await redis.get(mark)).to.not.equal(null);
    // A renewal while the mark stands is not told again.
    await emitAck(anaOn1, 'chat:typing', { conversationId: sent.data.conversationId, isTyping: true });
    // Her first device's process had her typing: its stop is told.
    await stopOn(anaOn1);
    await eventually(() => typingHeard.length >= 3, 4000, "the first device's stop");
    // A message after them all: by the time it is heard, so is anything told before it.
    const flushed = nextEvent(benOn2, 'chat:message');
    await emitAck(anaOn1, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'after the stops' });
    await flushed;
    expect(typingHeard.map((e) => [e.userId, e.isTyping])).to.deep.equal([
      [ana.id, false],
      [ana.id, true],
      [ana.id, false],
    ]);
    // Typing and stopping on one device, the stop sent twice (on send and on leaving, as apps do):
    // one stop told; the process's own stop took its mark, so the second finds none.
    typingHeard.length = 0;
    await emitAck(anaOn1, 'chat:typing', { conversationId: sent.data.conversationId, isTyping: true });
    await eventually(async () => (await redis.get(mark)) !== null, 2000, 'the new mark');
    await stopOn(anaOn1);
    await eventually(async () => (await redis.get(mark)) === null, 2000, 'the mark taken by its own stop');
    await stopOn(anaOn1);
    const flushedAgain = nextEvent(benOn2, 'chat:message');
    await emitAck(anaOn1, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'after one stop' });
    await flushedAgain;
    expect(typingHeard.map((e) => e.isTyping)).to.deep.equal([true, false]);
    await closeRedis(redis);
    anaOn2.close();
  });

  it('matches people connected to either process, each exactly once', async () => {
    const tag = `cl${Date.now().toString(36)}`;
    // Women on one process looking for men on the other: every pair must span the two.
    const gender = (i: number) => (i % 2 ? 'male' : 'female');
    const people = await Promise.all(Array.from({ length: 40 }, (_, i) => signupUser({ interests: [tag], gender: gender(i) })));
    await Promise.all(
      people.map(async (u, i) => {
        const as = bearer(u.accessToken);
        await (await api()).patch('/api/v1/users/me/status').set(as).send({ availableForMatching: true }).expect(200);
        await (
          await api()
        )
          .patch('/api/v1/users/me')
          .set(as)
          .send({ lookingFor: { genders: [gender(i + 1)] } })
          .expect(200);
      }),
    );
    const sockets = await Promise.all(people.map((u, i) => on(i % 2, u.accessToken)));
    const found = sockets.map((s) => collect(s, 'match:found'));
    const joined = await Promise.all(sockets.map((s) => emitAck(s, 'match:join', { mode: 'chat', interests: [tag] })));
    expect(
      joined.every((j) => j.ok),
      JSON.stringify(joined.find((j) => !j.ok)),
    ).to.equal(true);
    await eventually(() => found.every((f) => f.length > 0), 20_000, 'everyone matched');
    // A later pair of their own, one on each process, drawn: rounds have run past everyone above.
    const later = await Promise.all([0, 1].map(() => signupUser({ interests: [`${tag}x`] })));
    await Promise.all(
      later.map((u) =>
        api().then((a) =>
          a.patch('/api/v1/users/me/status').set(bearer(u.accessToken)).send({ availableForMatching: true }).expect(200),
        ),
      ),
    );
    const laterSockets = await Promise.all(later.map((u, i) => on(i, u.accessToken)));
    const laterFound = laterSockets.map((s) => nextEvent(s, 'match:found', () => true, 20_000));
    await Promise.all(laterSockets.map((s) => emitAck(s, 'match:join', { mode: 'chat', interests: [`${tag}x`] })));
    await Promise.all(laterFound);
    const partnerOf = new Map(people.map((u, i) => [u.id, found[i]!.map((f) => f.partner.id)]));
    for (const [i, u] of people.entries()) {
      const partners = partnerOf.get(u.id)!;
      expect(partners, `matches of person ${i}`).to.have.length(1);
      expect(partnerOf.get(partners[0]!)).to.deep.equal([u.id]);
      expect(people.findIndex((p) => p.id === partners[0]) % 2, 'the pair spans the processes').to.not.equal(i % 2);
    }
  });

  it('numbers messages sent through both processes once each, and a block on one stops sends on the other', async () => {
    const [ana, ben] = await Promise.all([signupUser(), signupUser()]);
    await connect(ana, ben);
    const anaOn1 = await on(0, ana.accessToken);
    const first = await emitAck(anaOn1, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'one' });
    const conversationId = first.data.conversationId;
    const overHttp = (i: number) =>
      supertest(urls[1]!)
        .post(`/api/v1/conversations/${conversationId}/messages`)
        .set(bearer(ana.accessToken))
        .send({ clientMessageId: clientId(), text: `http ${i}` });
    const sends = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2
          ? overHttp(i).then((r) => r.body.message?.seq as number)
          : emitAck(anaOn1, 'chat:send', { conversationId, clientMessageId: clientId(), text: `socket ${i}` }).then(
              (r) => r.data.seq,
            ),
      ),
    );
    expect(sends.sort((a, b) => a - b)).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

    // Ana's right to send is remembered by the first process; Ben blocks her through the second.
    expect((await supertest(urls[1]!).post(`/api/v1/users/${ana.id}/block`).set(bearer(ben.accessToken))).status).to.equal(204);
    // Without the change reaching it, the first process would let her send for a minute more.
    await eventually(
      async () =>
        (await emitAck(anaOn1, 'chat:send', { conversationId, clientMessageId: clientId(), text: 'hello?' })).error?.code ===
        'NOT_CONNECTED',
      2000,
      'the first process to refuse the blocked sender',
    );
  });

  it("a session ended on one process refuses its access token on the other at once, and closes that session's sockets there", async () => {
    const u = await signupUser();
    const phone = await supertest(urls[0]!)
      .post('/api/v1/auth/login')
      .send({ identifier: u.input.email, password: u.input.password });
    const me = () => supertest(urls[1]!).get('/api/v1/auth/me').set(bearer(phone.body.accessToken));
    expect((await me()).status).to.equal(200);
    const phoneSocket = await on(1, phone.body.accessToken);
    const laptopSocket = await on(1, u.accessToken);
    const phoneClosed = new Promise<[string, number]>((resolve) =>
      phoneSocket.once('disconnect', (why) => resolve([why, Date.now()])),
    );
    const sessions = await supertest(urls[0]!).get('/api/v1/auth/sessions').set(bearer(phone.body.accessToken));
    const id = sessions.body.sessions.find((s: { current: boolean }) => s.current).id;
    const endedAt = Date.now();
    expect((await supertest(urls[0]!).delete(`/api/v1/auth/sessions/${id}`).set(bearer(u.accessToken))).status).to.equal(204);
    await eventually(async () => (await me()).status === 401, 5000, 'the other process to refuse the token');
    expect((await supertest(urls[1]!).get('/api/v1/auth/me').set(bearer(u.accessToken))).status).to.equal(200);
    // At once, not by the 5 s sweep that also catches ended sessions.
    const [why, closedAt] = await phoneClosed;
    expect(why).to.equal('io server disconnect');
    expect(closedAt - endedAt).to.be.below(1000);
    expect(laptopSocket.connected, 'the other session keeps its socket').to.equal(true);
  });

  it('a process started after a session ended (a reload) refuses its access token too', async () => {
    const u = await signupUser();
    const phone = await supertest(urls[0]!)
      .post('/api/v1/auth/login')
      .send({ identifier: u.input.email, password: u.input.password });
    const sessions = await supertest(urls[0]!).get('/api/v1/auth/sessions').set(bearer(phone.body.accessToken));
    const id = sessions.body.sessions.find((s: { current: boolean }) => s.current).id;
    expect((await supertest(urls[0]!).delete(`/api/v1/auth/sessions/${id}`).set(bearer(u.accessToken))).status).to.equal(204);
    // A third process, started only now: it never heard the publish.
    const late = await startServer(process.env.MONGODB_URI!, clusterEnv(), 'the late server');
    servers.push(late);
    const lateUrl = late.url;
    expect((await supertest(lateUrl).get('/api/v1/auth/me').set(bearer(phone.body.accessToken))).status).to.equal(401);
    expect((await supertest(lateUrl).get('/api/v1/auth/me').set(bearer(u.accessToken))).status).to.equal(200);
  });

  it("takes an upload's reading once when its check is asked on both processes (the last room included), and gives it back on either, once, to its sender", async () => {
    const [u, other] = await Promise.all([signupUser(), signupUser()]);
    const requestId = randomBytes(16).toString('hex');
    const check = (server: number) => photoCheckAsNginx(supertest(urls[server]!), u.accessToken, 700, requestId);
    const unread = (server: number, who: SignedUp) => unreadAsNginx(supertest(urls[server]!), who.accessToken, requestId);
    const reading = () => readingOf('pictureReads', u.id);
    // Other uploads' takes leave room for this one alone, and stay in the reading throughout: a
    // give-back made twice would show.
    const before = 100 * config.uploads.maxBytes - 700;
    await setReading('pictureReads', u.id, before);
    expect((await check(0)).status).to.equal(204);
    // nginx asks the other process again when the first failed or timed out: admitted on the
    // take the first made (kept in Redis), not refused for the room it took.
    expect((await check(1)).status).to.equal(204);
    expect(await reading()).to.equal(before + 700);
    // nginx asks whichever process it picks; a forged sender on it gives back nothing.
    expect((await unread(1, other)).status).to.equal(204);
    expect(await reading()).to.equal(before + 700);
    expect((await unread(1, u)).status).to.equal(204);
    expect(await reading()).to.equal(before);
    expect((await unread(0, u)).status).to.equal(204);
    expect(await reading()).to.equal(before);
  });

  it('sweeps the sockets and queue ticket of a process killed outright: its users go offline, nobody waits for them', async () => {
    const doomed = await startServer(process.env.MONGODB_URI!, clusterEnv(), 'the third server');
    const doomedUrl = doomed.url;
    try {
      const tag = `kl${Date.now().toString(36)}`;
      const [ana, ben] = await Promise.all([signupUser({ interests: [tag] }), signupUser()]);
      await connect(ana, ben);
      await (await api()).patch('/api/v1/users/me/status').set(bearer(ana.accessToken)).send({ availableForMatching: true });
      const benOn1 = await on(0, ben.accessToken);
      const online = nextEvent(
        benOn1,
        'presence:changed',
        (p: { userId: string; online: boolean }) => p.userId === ana.id && p.online,
      );
      const anaThere = await connectClient(doomedUrl, { auth: { token: ana.accessToken } });
      sockets.push(anaThere);
      await online;
      expect((await emitAck(anaThere, 'match:join', { mode: 'chat', interests: [tag] })).ok).to.equal(true);

      const offline = nextEvent(
        benOn1,
        'presence:changed',
        (p: { userId: string; online: boolean }) => p.userId === ana.id && !p.online,
        15_000,
      );
      doomed.child.kill('SIGKILL');
      await offline;
      const redis = await connectRedis(config.redisUrl!);
      try {
        expect(await redis.sCard(`${config.limits.prefix}presence:${ana.id}`)).to.equal(0);
        expect(Number(await redis.hExists(`${config.limits.prefix}mq:tickets:chat`, ana.id))).to.equal(0);
      } finally {
        await closeRedis(redis);
      }
      const presence = await supertest(urls[1]!).get('/api/v1/presence').query({ ids: ana.id }).set(bearer(ben.accessToken));
      expect(presence.body.presence[0]).to.include({ userId: ana.id, online: false });
    } finally {
      doomed.child.kill('SIGKILL');
    }
  });
});
