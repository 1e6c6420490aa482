/**
 * Servers the benchmarks compare, one per process so the load generator never shares
 * their event loop:  tsx bench/servers.ts <hello|rawme|app> <port>
 *   hello  bare Express, GET /hello -> JSON (baseline for S1)
 *   rawme  bare Express + the raw MongoDB driver: the lean findById GET /me does (baseline for S1b)
 *   app    the real app, plus GET /api/v1/bench/auth: the authenticated stack, then a JSON reply
 */
import express, { Router } from 'express';
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

async function rawMe() {
  const { OWN_FIELDS } = await import('../services/user.service.js');
  const client = await new MongoClient(uri).connect();
  const users = client.db().collection('users');
  const projection = Object.fromEntries(OWN_FIELDS.split(' ').map((f) => [f, 1]));
  const app = express();
  app.get('/me', async (req, res) => {
    const user = await users.findOne({ _id: new ObjectId(String(req.headers['x-user-id'])) }, { projection });
    res.json({ user });
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
  return createApp({ config, routers: (deps) => [...apiRouters(deps), { basePath: '/bench', router: bench }] });
}

const factories: Record<string, () => Promise<express.Express>> = { hello, rawme: rawMe, app: realApp };
const make = factories[kind ?? ''];
if (!make || !port) {
  process.stderr.write('usage: servers.ts <hello|rawme|app> <port>\n');
  process.exit(2);
}
const app = await make();
app.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
// A clean exit on SIGINT lets `node --cpu-prof` write its profile.
process.on('SIGINT', () => process.exit(0));
