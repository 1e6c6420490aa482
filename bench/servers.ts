/**
 * Servers the benchmarks compare, one per process so the load generator never shares
 * their event loop:  tsx bench/servers.ts <hello|rawme|app> <port>. The app's are served
 * as server.ts serves it (createAppServer, http-server.ts); the baselines as Express's
 * app.listen does, on plain node:http.
 *   hello  bare Express, GET /hello -> JSON (baseline for S1)
 *   floor  bare Express with the layers S1's rules require, each as its package ships it:
 *          GET /hello and GET /me (rawme's read) behind them (how far below hello and rawme
 *          those layers alone put a server)
 *   rawme  bare Express + the raw MongoDB driver: the lean findById GET /me does (baseline for S1b)
 *   app    the real app (served as server.ts serves it), plus GET /api/v1/bench/auth: the
 *          authenticated stack, then a JSON reply
 *   appio  the real app and its Socket.IO server (chat benchmarks)
 *   bareio bare Socket.IO relaying to rooms (baseline for typing and fan-out)
 *   rawfind  bare Express + the raw driver: GET /find?field=&value=[&value=] -> indexed equality
 *            finds of a page of user cards, newest first, merged (baseline for search)
 */
import { writeFileSync } from 'node:fs';
import express, { Router } from 'express';
import type { JwtPayload } from 'jsonwebtoken';
import mongoose from 'mongoose';

// The raw driver Mongoose itself uses, so both sides talk to the database the same way.
const { MongoClient, ObjectId } = mongoose.mongo;

const [kind, portArg] = process.argv.slice(2);
const port = Number(portArg);
const uri = process.env.MONGODB_URI!;

async function hello() {
  const app = express();
  app.get('/hello', (_req, res) => {
    res.json({ hello: 'world' });
  });
  return app;
}

/**
 * The layers issue 23 says S1 keeps (security headers, CORS, request id, body and cookie
 * parsers, an access line, the caller's token checked), written the plain way on bare
 * Express: helmet(), cors(), express.json(), cookie-parser, a request id (on the request and
 * its answer: the app passes it down by hand, not in an AsyncLocalStorage), one JSON line to
 * stdout per response, and a verified token remembered in a Map. None of the app's own code.
 * GET /hello answers the caller's id (S1's floor); GET /me behind the same layers makes
 * rawme's findOne for the caller (S1b's floor).
 */
async function floor() {
  const { createSecretKey, randomUUID } = await import('node:crypto');
  const { default: helmet } = await import('helmet');
  const { default: cors } = await import('cors');
  const { default: cookieParser } = await import('cookie-parser');
  const { default: jwt } = await import('jsonwebtoken');
  const key = createSecretKey(Buffer.from(process.env.JWT_ACCESS_SECRET!, 'utf8'));
  const verified = new Map<string, JwtPayload>();
  const app = express();
  app.use((req, res, next) => {
    const id = randomUUID();
    res.setHeader('X-Request-Id', id);
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - start) / 1e6;
      const line = {
        level: 'info',
        message: 'request',
        requestId: id,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        durationMs,
        timestamp: new Date().toISOString(),
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    });
    next();
  });
  app.use(helmet());
  app.use(cors({ origin: ['http://app.test'], credentials: true }));
  app.use(express.json({ limit: '100kb' }));
  app.use(cookieParser());
  const claimsOf = (req: express.Request): JwtPayload | undefined => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    let claims = token ? verified.get(token) : undefined;
    if (claims && claims.exp! * 1000 <= Date.now()) claims = undefined;
    if (token && !claims) {
      try {
        claims = jwt.verify(token, key, { algorithms: ['HS256'] }) as JwtPayload;
        verified.set(token, claims);
      } catch {
        // refused by the route
      }
    }
    return claims;
  };
  app.get('/hello', (req, res) => {
    const claims = claimsOf(req);
    if (!claims) return void res.status(401).json({ error: 'unauthorized' });
    res.json({ ok: true, userId: claims.sub });
  });
  const me = await ownProfileReader();
  app.get('/me', async (req, res) => {
    const claims = claimsOf(req);
    if (!claims) return void res.status(401).json({ error: 'unauthorized' });
    const user = await me(String(claims.sub));
    if (!user) return void res.status(404).json({ error: 'not found' });
    res.json({ user });
  });
  return app;
}

/** The lean findOne GET /me makes, on the raw driver: the caller's own fields by id. */
async function ownProfileReader() {
  const { OWN_FIELDS } = await import('../services/people/user.service.js');
  const client = await new MongoClient(uri).connect();
  const users = client.db().collection('users');
  const projection = Object.fromEntries(OWN_FIELDS.split(' ').map((f) => [f, 1]));
  return (userId: string) => users.findOne({ _id: new ObjectId(userId) }, { projection });
}

async function rawMe() {
  const me = await ownProfileReader();
  const app = express();
  app.get('/me', async (req, res) => {
    const user = await me(String(req.headers['x-user-id']));
    if (!user) return void res.status(404).json({ error: 'not found' });
    res.json({ user });
  });
  return app;
}

async function rawFind() {
  const { CARD_SOURCE_FIELDS } = await import('../services/people/user.service.js');
  const client = await new MongoClient(uri).connect();
  const users = client.db().collection('users');
  const projection = Object.fromEntries(CARD_SOURCE_FIELDS.split(' ').map((f) => [f, 1]));
  const fields = new Set(['searchPrefixes', 'interests', 'geoCells']);
  const app = express();
  // Several values (the cells of a radius) run side by side and merge, as search does.
  app.get('/find', async (req, res) => {
    const field = String(req.query.field);
    if (!fields.has(field)) return void res.status(400).end();
    const values = ([] as unknown[]).concat(req.query.value).map(String);
    const limit = Math.min(Number(req.query.limit ?? 20), 50);
    const pages = await Promise.all(
      values.map((value) =>
        users
          .find({ [field]: value }, { projection })
          .sort({ _id: -1 })
          .limit(20)
          .toArray(),
      ),
    );
    const page = pages
      .flat()
      .sort((a, b) => (a._id.toHexString() > b._id.toHexString() ? -1 : 1))
      .slice(0, limit);
    res.json({ users: page });
  });
  // The reads a history page makes: the newest bucket(s) of a conversation, newest first.
  const messages = client.db().collection('messages');
  app.get('/history', async (req, res) => {
    const conversationId = new ObjectId(String(req.query.conversationId));
    const limit = Number(req.query.limit ?? 50);
    const lastSeq = Number(req.query.lastSeq);
    const found = [];
    for (let b = Math.floor(lastSeq / 100); b >= 0 && found.length < limit; b--) {
      found.push(
        ...(await messages
          .find({ conversationId, bucket: b })
          .sort({ seq: -1 })
          .limit(limit - found.length)
          .toArray()),
      );
    }
    res.json({ messages: found.reverse() });
  });
  return app;
}

async function realApp() {
  const { createApp } = await import('../app.js');
  const { config } = await import('../config/index.js');
  const { connectDatabase } = await import('../services/database.service.js');
  const { authenticate } = await import('../middlewares/auth.middleware.js');
  const { apiRouters } = await import('../routes/index.js');
  await connectDatabase({ uri, serverSelectionTimeoutMs: 5000 });
  const bench = Router();
  bench.get('/auth', authenticate, (req, res) => {
    res.json({ ok: true, userId: req.auth?.sub });
  });
  const { createAppServer } = await import('../http-server.js');
  return createAppServer(createApp({ config, routers: (deps) => [...apiRouters(deps), { basePath: '/bench', router: bench }] }));
}

/** The real app with its Socket.IO server, as server.ts builds them (events limited by config). */
async function realAppWithSockets() {
  const { createAppServer } = await import('../http-server.js');
  const { createApp } = await import('../app.js');
  const { config } = await import('../config/index.js');
  const { connectDatabase } = await import('../services/database.service.js');
  const { createSocketServer } = await import('../sockets/index.js');
  const { buildLiveParts, socketDeps } = await import('../parts.js');
  await connectDatabase({ uri, serverSelectionTimeoutMs: 5000 });
  const parts = buildLiveParts(config, undefined);
  const http = createAppServer(createApp({ config, actions: parts.actions }));
  await createSocketServer(http, socketDeps(config, undefined, parts));
  return http;
}

/**
 * Bare Socket.IO (baseline for typing relay and fan-out): each socket joins the room in
 * its handshake query; 'relay' { room, payload } emits 'relayed' to that room and acks.
 */
async function bareIo() {
  const { createServer } = await import('node:http');
  const { Server } = await import('socket.io');
  const http = createServer();
  const io = new Server(http);
  io.on('connection', (socket) => {
    for (const room of String(socket.handshake.query.rooms ?? '').split(',')) if (room) void socket.join(room);
    socket.on('relay', (p: { room: string; payload: unknown }, ack?: (r: unknown) => void) => {
      io.to(p.room).emit('relayed', p.payload);
      ack?.({ ok: true });
    });
  });
  return http;
}

const factories: Record<string, () => Promise<{ listen: express.Express['listen'] }>> = {
  appio: realAppWithSockets,
  bareio: bareIo,
  floor,
  hello,
  rawme: rawMe,
  rawfind: rawFind,
  app: realApp,
};
const make = factories[kind ?? ''];
if (!make || !port) {
  process.stderr.write(`usage: servers.ts <${Object.keys(factories).join('|')}> <port>\n`);
  process.exit(2);
}
const app = await make();
app.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
// A clean exit on SIGINT lets `node --cpu-prof` write its profile.
process.on('SIGINT', () => process.exit(0));
// SIGUSR2 collects garbage (the harness starts servers with --expose-gc), so memory readings
// count what is held, not what is waiting to be collected; with BENCH_MEMORY_FILE set, the
// process's memory figures are written there after.
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  if (process.env.BENCH_MEMORY_FILE) writeFileSync(process.env.BENCH_MEMORY_FILE, JSON.stringify(process.memoryUsage()));
});
