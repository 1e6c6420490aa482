/**
 * npm run bench:adaptive-discovery: what the adaptive ranking costs a discovery feed, end to
 * end below HTTP (candidate reads, fit checks, ranking, the page's profiles), against the
 * explicit ranking in the same process, on the same data, calls interleaved. 10,000
 * generated people (BENCH_USERS) with learned models; BENCH_CALLS (default 400) feeds
 * each way for a viewer at the centre. Needs BENCH_MONGODB_URI or TEST_MONGODB_URI.
 */
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { config } from '../config/index.js';
import { flushAnalytics } from '../services/analytics/record.js';
import { connectDatabase, disconnectDatabase } from '../services/database.service.js';
import { discover } from '../services/people/discovery.service.js';
import { geoCellsOf } from '../utils/geo.js';
import { benchDatabase } from './harness.js';
import { CENTRE, generatedUser } from './seed.js';

const count = Number(process.env.BENCH_USERS ?? 10_000);
const calls = Number(process.env.BENCH_CALLS ?? 400);
const db = await benchDatabase();
await connectDatabase({ uri: db.uri, serverSelectionTimeoutMs: 5000 });
// Everyone has a learned model, as after months of use. (Inserted with it: FerretDB, the
// test database, hangs on bulk writes of a few dozen updates.)
const users = mongoose.connection.db!.collection('users');
const vector = () => Array.from({ length: 8 }, () => randomInt(-1000, 1000) / 1000);
const taste = () => ({
  w: Object.fromEntries(Array.from({ length: 24 }, (_, k) => [`i:tag${k * 4}`, randomInt(-2000, 2000) / 1000])),
  t: vector(),
  a: vector(),
  b: randomInt(-500, 500) / 1000,
  n: randomInt(0, 200),
  s: randomInt(0, 800),
  sAt: Date.now(),
});
for (let i = 0; i < count; i += 500) {
  await users.insertMany(
    Array.from({ length: Math.min(500, count - i) }, (_, j) => ({
      _id: new mongoose.Types.ObjectId(),
      ...generatedUser(i + j),
      taste: taste(),
    })),
  );
}
// The viewer: at the centre, open to anyone within 500 km, with a model of their own.
const viewer = { _id: new mongoose.Types.ObjectId(), ...generatedUser(count + 1) };
await users.insertOne({
  ...viewer,
  location: { ...CENTRE, updatedAt: new Date() },
  preference: 'dating',
  lookingFor: { genders: [], minAge: 18, maxAge: 99, maxDistanceKm: 500 },
  taste: { w: { 'i:tag4': 1.5, 'g:female': 0.4 }, t: vector(), a: vector(), b: 0.1, n: 40 },
});
await users.updateOne({ _id: viewer._id }, { $set: { geoCells: geoCellsOf(CENTRE) } });

const match = config.match as { mode: string };
const times: Record<string, number[]> = { explicit: [], adaptive: [] };
let shown = 0;
for (let i = 0; i < calls * 2 + 20; i++) {
  const mode = i % 2 ? 'adaptive' : 'explicit';
  match.mode = mode;
  const started = performance.now();
  const page = await discover(String(viewer._id), { limit: 10 });
  const ms = performance.now() - started;
  shown += page.profiles.length;
  if (i >= 20) times[mode]!.push(ms); // the first ten of each warm up
}
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const row = (name: string, p: number) => {
  const [a, e] = [pct(times.adaptive!, p), pct(times.explicit!, p)];
  console.log(`| discover, page of 10, ${name} | ${a.toFixed(1)} ms | ${e.toFixed(1)} ms | ${(a / e).toFixed(2)} | <= 1.2 |`);
};
console.log(
  `\nDiscovery feed, adaptive against explicit ranking: ${count} people with models, ${calls} feeds each, interleaved (${shown / (calls * 2 + 20)} cards a page)\n`,
);
console.log('| benchmark | adaptive | explicit | ratio | aim |\n|---|---|---|---|---|');
row('p50', 50);
row('p99', 99);
await flushAnalytics();
await disconnectDatabase();
await db.stop();
process.exit(0);
