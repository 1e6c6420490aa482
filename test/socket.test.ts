import { expect } from 'chai';
import { Manager } from 'socket.io-client';
import { config } from '../config/index.js';
import { userRoom } from '../sockets/index.js';
import { AccessTokens } from '../utils/jwt.js';
import { eventually } from './support/eventually.js';
import { decodePayload, forgeJwt } from './support/jwt.js';
import { emitUntyped, rawSocket } from './support/chat.js';
import { connectClient, startServer, type RunningServer, type TestSocket } from './support/socket-server.js';
import { signupUser } from './support/users.js';
import { freshIp } from './support/app.js';
import { UNREAD_CHARS_MAX, UNREAD_PACKETS_MAX } from '../sockets/transport-guard.js';

/** Whether any socket of the server is signed in as `userId`. */
const signedIn = (server: RunningServer, userId: string) =>
  [...server.io.of('/').sockets.values()].some((s) => s.data.user?.sub === userId);

/**
 * A connection driven packet by hand (Socket.IO's client would never send these): the
 * engine's transport, what the server writes back, and how it closed.
 */
async function byHand(url: string, transport: 'polling' | 'websocket', open = true) {
  const manager = new Manager(url, { transports: [transport], reconnection: false, autoConnect: false });
  const opened = new Promise<void>((resolve, reject) => manager.open((err) => (err ? reject(err) : resolve())));
  if (open) await opened;
  const packets: string[] = [];
  manager.engine.on('message', (data) => packets.push(String(data)));
  const closed = new Promise<string>((resolve) => manager.engine.once('close', (reason: string) => resolve(reason)));
  return {
    engine: manager.engine,
    opened,
    packets,
    /** How the connection ended within `ms`, or 'still open'. */
    outcome: (ms: number) => Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve('still open'), ms))]),
    signIn: async (token: string) => {
      manager.engine.send(`0${JSON.stringify({ token })}`);
      await eventually(async () => packets.some((p) => p.startsWith('0{')), 2000, 'signed in');
    },
  };
}

/**
 * Engine.IO by hand over HTTP: a client that signs in and never polls for what is written to
 * it (a packet it sends, such as a pong, keeps it alive).
 */
async function neverPolling(server: RunningServer, user: { id: string; accessToken: string }) {
  const headers = { 'x-test-client-ip': freshIp(), 'content-type': 'text/plain;charset=UTF-8' };
  const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
  const sid = (JSON.parse((await (await fetch(base, { headers })).text()).slice(1)) as { sid: string }).sid;
  const post = (body: string) => fetch(`${base}&sid=${sid}`, { method: 'POST', headers, body });
  expect((await post(`40${JSON.stringify({ token: user.accessToken })}`)).status).to.equal(200);
  await eventually(async () => signedIn(server, user.id), 2000, 'signed in');
  return { post };
}

const notice = (server: RunningServer, userId: string, message: string) =>
  server.io.to(userRoom(userId)).emit('system:notice', { message });

describe('Socket.IO', () => {
  let server: RunningServer;
  const open: TestSocket[] = [];
  const client = async (...args: Parameters<typeof connectClient>) => {
    const s = await connectClient(...args);
    open.push(s);
    return s;
  };

  before(async () => {
    server = await startServer();
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  after(async () => {
    await server.close();
  });

  const refusal = async (options: Parameters<typeof connectClient>[1]) => {
    try {
      await client(server.url, options);
    } catch (err) {
      return err as Error & { data?: { code: string } };
    }
    expect.fail('the handshake should have been refused');
  };

  it('accepts the access token from auth.token and answers system:ping through an ack', async () => {
    const u = await signupUser();
    const socket = await client(server.url, { auth: { token: u.accessToken } });
    const ack = await socket.timeout(2000).emitWithAck('system:ping', {});
    expect(ack.ok).to.equal(true);
    expect(ack.data).to.include({ pong: true, userId: u.id });
  });

  it('accepts the access token from the cookie (web)', async () => {
    const u = await signupUser();
    const socket = await client(server.url, { extraHeaders: { Cookie: u.cookies.join('; ') } });
    const ack = await socket.timeout(2000).emitWithAck('system:ping', null);
    expect(ack.data.userId).to.equal(u.id);
  });

  it('refuses a handshake with no, bad, expired or alg:none tokens', async () => {
    const u = await signupUser();
    const claims = decodePayload(u.accessToken);
    const now = Math.floor(Date.now() / 1000);
    expect((await refusal({})).data?.code).to.equal('UNAUTHORIZED');
    expect((await refusal({ auth: { token: 'garbage' } })).data?.code).to.equal('INVALID_TOKEN');
    expect((await refusal({ auth: { token: { $ne: null } } })).data?.code).to.equal('UNAUTHORIZED');
    const expired = forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now - 1000, exp: now - 5 }, config.auth.jwtSecret);
    expect((await refusal({ auth: { token: expired } })).data?.code).to.equal('INVALID_TOKEN');
    const none = forgeJwt({ alg: 'none', typ: 'JWT' }, claims);
    expect((await refusal({ auth: { token: none } })).data?.code).to.equal('INVALID_TOKEN');
    const wrongKey = forgeJwt({ alg: 'HS256', typ: 'JWT' }, claims, 'x'.repeat(40));
    expect((await refusal({ auth: { token: wrongKey } })).data?.code).to.equal('INVALID_TOKEN');
  });

  it('refuses a foreign Origin even with a valid cookie', async () => {
    const u = await signupUser();
    const err = await refusal({ extraHeaders: { Cookie: u.cookies.join('; '), Origin: 'https://evil.example' } });
    expect(err.message).to.match(/websocket error|xhr poll error|forbidden/i);
    await client(server.url, { extraHeaders: { Cookie: u.cookies.join('; '), Origin: 'http://app.test' } });
  });

  it("joins each socket to the user's room, reaching every device of that user and nobody else", async () => {
    const u = await signupUser();
    const other = await signupUser();
    const phone = await client(server.url, { auth: { token: u.accessToken } });
    const laptop = await client(server.url, { auth: { token: u.accessToken } });
    const stranger = await client(server.url, { auth: { token: other.accessToken } });
    const got: string[] = [];
    phone.on('system:notice', (p: { message: string }) => got.push(`phone:${p.message}`));
    laptop.on('system:notice', (p: { message: string }) => got.push(`laptop:${p.message}`));
    stranger.on('system:notice', (p: { message: string }) => got.push(`stranger:${p.message}`));
    server.io.to(userRoom(u.id)).emit('system:notice', { message: 'hi' });
    // A notice to everyone after it: each socket hears that after anything sent to it before.
    server.io.emit('system:notice', { message: 'all' });
    await eventually(() => got.filter((g) => g.endsWith(':all')).length === 3, 3000, 'the notice to everyone');
    expect(got.filter((g) => g.endsWith(':hi')).sort()).to.deep.equal(['laptop:hi', 'phone:hi']);
  });

  it('delivers across two server instances through the Redis adapter', async function () {
    if (!config.redisUrl) this.skip();
    const second = await startServer();
    try {
      const u = await signupUser();
      const socket = await client(second.url, { auth: { token: u.accessToken } });
      const received: string[] = [];
      socket.on('system:notice', (p: { message: string }) => received.push(p.message));
      // The other process learns of the room through Redis a moment after the connect: emit until it has.
      await eventually(() => {
        server.io.to(userRoom(u.id)).emit('system:notice', { message: 'from the other process' });
        return received.length > 0;
      }, 3000);
      expect(received[0]).to.equal('from the other process');
    } finally {
      await second.close();
    }
  });

  it('closes a connection that never signs in, after the connect timeout', async () => {
    const strict = await startServer({ connectTimeoutMs: 500 });
    // The transport alone, with no CONNECT to any namespace: what a flood of idle sockets sends.
    const manager = new Manager(strict.url, { transports: ['websocket'], reconnection: false, autoConnect: false });
    try {
      const closed = new Promise<string>((resolve) => manager.once('close', (reason: string) => resolve(reason)));
      await new Promise<void>((resolve, reject) => manager.open((err) => (err ? reject(err) : resolve())));
      expect(await closed).to.equal('transport close');
    } finally {
      manager.engine?.close();
      await strict.close();
    }
  });

  it('caps the connections one address holds open before signing in; signed-in ones, other addresses and freed places get in', async () => {
    const capped = await startServer({ connectionsPerAddress: 3 });
    const address = '198.51.100.7';
    const from = (ip: string) => ({
      transports: ['websocket'],
      reconnection: false,
      autoConnect: false,
      extraHeaders: { 'x-test-client-ip': ip },
    });
    // The transport alone, with no CONNECT: what a flood of idle sockets sends.
    const open = (ip: string) => {
      const manager = new Manager(capped.url, from(ip));
      return new Promise<Manager>((resolve, reject) => manager.open((err) => (err ? reject(err) : resolve(manager))));
    };
    const outcome = (ip: string) =>
      open(ip).then(
        (m) => (managers.push(m), 'opened'),
        () => 'refused',
      );
    const managers: Manager[] = [];
    const signedIn: TestSocket[] = [];
    try {
      const u = await signupUser();
      managers.push(await open(address), await open(address), await open(address));
      // The fourth waiting from that address is refused before its transport opens; another address is not held back.
      expect(await outcome(address)).to.equal('refused');
      expect(await outcome('198.51.100.8')).to.equal('opened');
      // A closed one gives its place back: someone at that address signs in, and then counts no more.
      managers.shift()!.engine.close();
      await eventually(async () => capped.io.engine.clientsCount === 3);
      signedIn.push(
        await connectClient(capped.url, { auth: { token: u.accessToken }, extraHeaders: { 'x-test-client-ip': address } }),
      );
      expect(await outcome(address)).to.equal('opened');
      expect(await outcome(address)).to.equal('refused');
      expect((await signedIn[0]!.timeout(2000).emitWithAck('system:ping', {})).ok).to.equal(true);
      // A socket that signs in and leaves its namespace does not keep an uncounted transport
      // open (packets by hand: Socket.IO's own client would close the transport itself).
      const raw = new Manager(capped.url, from('198.51.100.9'));
      managers.push(raw);
      await new Promise<void>((resolve, reject) => raw.open((err) => (err ? reject(err) : resolve())));
      const packets: string[] = [];
      raw.engine.on('message', (data) => packets.push(String(data)));
      const closed = new Promise<string>((resolve) => raw.engine.once('close', (reason: string) => resolve(reason)));
      raw.engine.send(`0${JSON.stringify({ token: u.accessToken })}`);
      await eventually(async () => packets.some((p) => p.startsWith('0{')), 2000, 'signed in');
      raw.engine.send('1');
      const left = await Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve('still open'), 2000))]);
      expect(left).to.equal('transport close');
    } finally {
      for (const m of managers) m.engine?.close();
      for (const s of signedIn) s.close();
      await capped.close();
    }
  });

  it('closes a connection after a refused sign-in: one token tried per connection, not one per CONNECT', async () => {
    // The transport, then CONNECT packets by hand (Socket.IO's client would close it itself).
    const raw = await byHand(server.url, 'websocket');
    try {
      raw.engine.send(`0${JSON.stringify({ token: forgeJwt({ alg: 'HS256', typ: 'JWT' }, { sub: 'x' }, 'not the secret') })}`);
      await eventually(async () => raw.packets.length === 1, 2000, 'the refusal');
      expect(JSON.parse(raw.packets[0]!.slice(1)).data).to.deep.equal({ code: 'INVALID_TOKEN' });
      expect(await raw.outcome(2000)).to.equal('transport close');
      expect(raw.packets).to.have.length(1);
    } finally {
      raw.engine.close();
    }
  });

  it('tries one sign-in per connection: a second CONNECT closes the connection, however many are sent together', async () => {
    const u = await signupUser();
    // Long-polling, the CONNECTs written before the transport opens: they go in one request,
    // decoded together. Each one Socket.IO decodes costs a socket and the middleware: 30,000
    // in one 90 KB request cost the server about a second before the second one closed it.
    // The parser reads a packet's type as Number() of its first character: a space or a tab
    // is a CONNECT as much as a "0".
    for (const more of ['0', ' ', '\t']) {
      const raw = await byHand(server.url, 'polling', false);
      try {
        raw.engine.send(`0${JSON.stringify({ token: u.accessToken })}`);
        for (let i = 0; i < 3000; i++) raw.engine.send(more);
        await raw.opened;
        expect(await raw.outcome(3000), JSON.stringify(more)).to.equal('transport close');
        // Not one refusal per CONNECT written back, and the first one's sign-in did not stay.
        expect(raw.packets.filter((p) => p.startsWith('4')).length, JSON.stringify(more)).to.be.at.most(1);
        expect(
          raw.packets.filter((p) => p.startsWith('0{')),
          JSON.stringify(more),
        ).to.have.length(0);
        await eventually(async () => !signedIn(server, u.id));
      } finally {
        raw.engine.close();
      }
    }
  });

  it('closes a signed-in connection that sends another CONNECT, to any namespace', async () => {
    const u = await signupUser();
    // Packets by hand over a WebSocket: a namespace that does not exist was answered a refusal
    // per CONNECT with the connection kept, past the per-event limits (they count events).
    const raw = await byHand(server.url, 'websocket');
    try {
      await raw.signIn(u.accessToken);
      for (let i = 0; i < 50; i++) raw.engine.send('0/nowhere,');
      expect(await raw.outcome(2000)).to.equal('transport close');
      expect(raw.packets.filter((p) => p.startsWith('4/nowhere')).length).to.be.at.most(1);
    } finally {
      raw.engine.close();
    }
  });

  it('drops a socket that sends an oversized payload', async () => {
    const u = await signupUser();
    const socket = await client(server.url, { auth: { token: u.accessToken } });
    const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    socket.emit('system:ping', 'x'.repeat(200_000), () => expect.fail('an oversized event must not be handled'));
    expect(await dropped).to.equal('transport close');
  });

  it('answers an ack even for a payload it does not need, and ignores events without an ack', async () => {
    const u = await signupUser();
    const socket = await client(server.url, { auth: { token: u.accessToken } });
    // No ack function: the server must not try to answer one.
    rawSocket(socket).emit('system:ping', { $where: 'x' });
    const ack = await socket.timeout(2000).emitWithAck('system:ping', 'x'.repeat(10_000));
    expect(ack.ok).to.equal(true);
  });

  it('leaves events named after object properties unheard, and stays up', async () => {
    const u = await signupUser();
    const socket = await client(server.url, { auth: { token: u.accessToken } });
    for (const event of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const answered = await emitUntyped(socket, event, {}, 300).then(
        () => 'answered',
        () => 'unanswered',
      );
      expect(answered, event).to.equal('unanswered');
    }
    const ack = await socket.timeout(2000).emitWithAck('system:ping', {});
    expect([ack.ok, socket.connected]).to.deep.equal([true, true]);
  });

  it('does not outlive its access token: an expired socket is told and closed; a refreshed one stays', async function () {
    this.timeout(20_000);
    const u = await signupUser();
    const other = await signupUser();
    // Tokens of this server's kind that live two seconds.
    const shortLived = new AccessTokens({
      secret: config.auth.jwtSecret,
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      ttlSeconds: 2,
    });
    const claims = decodePayload(u.accessToken) as { sub: string; sid: string };
    const short = () => shortLived.sign({ sub: claims.sub, role: 'user', sid: claims.sid });
    const expiring = await client(server.url, { auth: { token: short() } });
    const kept = await client(server.url, { auth: { token: short() } });
    const told = new Promise((resolve) => expiring.once('auth:expired', resolve));
    const closed = new Promise((resolve) => expiring.once('disconnect', resolve));

    const foreign = await kept.timeout(2000).emitWithAck('auth:refresh', { token: other.accessToken });
    expect(foreign.error.code, "another account's token").to.equal('INVALID_TOKEN');
    const refreshed = await kept.timeout(2000).emitWithAck('auth:refresh', { token: u.accessToken });
    expect(refreshed.ok).to.equal(true);
    expect(new Date(refreshed.data.expiresAt).getTime()).to.be.greaterThan(Date.now() + 60_000);

    expect(await told).to.deep.equal({ reason: 'token_expired' });
    expect(await closed).to.equal('io server disconnect');
    const ping = await kept.timeout(2000).emitWithAck('system:ping', {});
    expect(ping.ok, 'the refreshed socket is still served').to.equal(true);
  });
});

describe('Socket.IO flood guard', () => {
  it('answers RATE_LIMITED past the per-socket budget, and recovers in the next window', async () => {
    const server = await startServer();
    const u = await signupUser();
    const socket = await connectClient(server.url, { auth: { token: u.accessToken } });
    try {
      const acks = await Promise.all(Array.from({ length: 30 }, () => socket.timeout(2000).emitWithAck('system:ping', {})));
      const limited = acks.filter((a) => !a.ok);
      expect(acks.filter((a) => a.ok)).to.have.length(20);
      expect(limited).to.have.length(10);
      expect(limited[0].error.code).to.equal('RATE_LIMITED');
      // The budget is per second: waited out as the refusal says, the next window answers again.
      const wait = Math.max(...limited.map((a) => a.error.retryAfterSeconds as number));
      expect(wait).to.equal(1);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      expect((await socket.timeout(2000).emitWithAck('system:ping', {})).ok, 'the next window').to.equal(true);
    } finally {
      socket.close();
      await server.close();
    }
  });

  it("closes a socket that keeps sending past its account's budget, and not the account's other sockets", async () => {
    const server = await startServer();
    const u = await signupUser();
    // By hand, every event sent at once: over long-polling they go in one request. Each past
    // the budget was answered RATE_LIMITED (about 120 bytes for 20 sent) and the connection
    // kept, so one 66 KB request bought some 3,000 answers piling up for a client reading none.
    const bystander = await connectClient(server.url, { auth: { token: u.accessToken } });
    try {
      for (const transport of ['polling', 'websocket'] as const) {
        const raw = await byHand(server.url, transport);
        try {
          await raw.signIn(u.accessToken);
          for (let i = 0; i < 3000; i++) raw.engine.send(`2${i}["system:ping",{}]`);
          expect(await raw.outcome(3000), transport).to.equal('transport close');
          // Told to slow down a budget's worth of times (the window starts at the first ping), then disconnected.
          expect(raw.packets.at(-1), transport).to.equal('1');
          const answers = raw.packets.filter((p) => p.startsWith('3'));
          const refused = answers.filter((p) => p.includes('RATE_LIMITED')).length;
          expect(refused, transport).to.equal(20);
          expect(answers.length, transport).to.be.at.most(40);
          // The account's other socket hears the same budget's refusals, and stays.
          const heard = await Promise.all([0, 1, 2].map(() => bystander.timeout(2000).emitWithAck('system:ping', {})));
          expect(heard.every((a) => a.ok || a.error.code === 'RATE_LIMITED')).to.equal(true);
          expect(bystander.connected, transport).to.equal(true);
          await eventually(
            async () => [...server.io.of('/').sockets.values()].filter((s) => s.data.user.sub === u.id).length === 1,
          );
          await new Promise((resolve) => setTimeout(resolve, 1000));
        } finally {
          raw.engine.close();
        }
      }
      expect((await bystander.timeout(2000).emitWithAck('system:ping', {})).ok).to.equal(true);
    } finally {
      bystander.close();
      await server.close();
    }
  });

  it('closes a connection that lets too much gather unread, by count or by size, and not one that reads', async () => {
    const server = await startServer();
    const [reader, byCount, bySize] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    const reading = await connectClient(server.url, { auth: { token: reader.accessToken }, transports: ['polling'] });
    try {
      const [countIdler, sizeIdler] = await Promise.all([neverPolling(server, byCount), neverPolling(server, bySize)]);
      // Its sign-in answer waits unread, then the most packets a reader could let gather; a few large ones past the size.
      for (let i = 0; i < UNREAD_PACKETS_MAX; i++) notice(server, byCount.id, `notice ${i}`);
      const large = 'x'.repeat(UNREAD_CHARS_MAX / 4);
      for (let i = 0; i < 4; i++) notice(server, bySize.id, large);
      await eventually(async () => !signedIn(server, byCount.id), 2000, 'closed by count');
      await eventually(async () => !signedIn(server, bySize.id), 2000, 'closed by size');
      expect((await countIdler.post('3')).status, 'its session is gone').to.equal(400);
      expect((await sizeIdler.post('3')).status, 'its session is gone').to.equal(400);
      // A client that reads is not touched by a burst of half of each, in one tick.
      const last = `notice ${UNREAD_PACKETS_MAX / 2}`;
      const heard = new Promise<void>((resolve) => reading.on('system:notice', (n) => n.message === last && resolve()));
      notice(server, reader.id, large);
      for (let i = 0; i <= UNREAD_PACKETS_MAX / 2; i++) notice(server, reader.id, `notice ${i}`);
      await heard;
      expect((await reading.timeout(2000).emitWithAck('system:ping', {})).ok).to.equal(true);
    } finally {
      reading.close();
      await server.close();
    }
  });

  it('closes a client that lets packets gather, then only sends pongs of its own (each puts the next ping off)', async () => {
    const server = await startServer({ ping: { intervalMs: 300, timeoutMs: 300 } });
    const idler = await signupUser();
    const silent = await neverPolling(server, idler);
    // Something waits for it (its sign-in answer and these), then nothing more is written.
    for (let i = 0; i < 3; i++) notice(server, idler.id, `notice ${i}`);
    let pongs = 0;
    const pong = setInterval(
      () =>
        void silent.post('3').then(
          () => pongs++,
          () => undefined,
        ),
      100,
    );
    try {
      await eventually(async () => !signedIn(server, idler.id), 3000, 'the idler closed');
      expect(pongs, 'kept alive past its heartbeat first').to.be.at.least(5);
    } finally {
      clearInterval(pong);
      await server.close();
    }
  });

  it('closes a connection that takes nothing of what is written to it for as long as a silent one is given', async () => {
    // A short heartbeat: a client that answers pings blind and never polls took nothing,
    // however little was written to it, and was kept for good.
    const server = await startServer({ ping: { intervalMs: 300, timeoutMs: 300 } });
    const [reader, idler] = await Promise.all([signupUser(), signupUser()]);
    const reading = await connectClient(server.url, { auth: { token: reader.accessToken }, transports: ['polling'] });
    const silent = await neverPolling(server, idler);
    let i = 0;
    const trickle = setInterval(() => {
      void silent.post('3').catch(() => undefined);
      notice(server, idler.id, `notice ${i}`);
      notice(server, reader.id, `notice ${i++}`);
    }, 100);
    try {
      await eventually(async () => !signedIn(server, idler.id), 3000, 'the idler closed');
      expect(i, 'it was kept alive past its heartbeat first').to.be.at.least(6);
      expect((await reading.timeout(2000).emitWithAck('system:ping', {})).ok).to.equal(true);
    } finally {
      clearInterval(trickle);
      reading.close();
      await server.close();
    }
  });
});
