/**
 * npm run bench:discovery: GET /api/v1/discover over 10,000 generated users who have
 * swiped on each other (BENCH_SWIPES each, default 10; the viewers 300 each), against a
 * plain indexed find of a page of the same size on the raw driver, in the same run.
 * A third viewer is a heavy swiper: 3,000 of the crowd swiped plus BENCH_HEAVY_SWIPES
 * (default 20000) swipes on people elsewhere, as months of swiping leave.
 * BENCH_SECONDS (default 8) and BENCH_USERS (default 10000) tune it.
 */
import { randomInt } from 'node:crypto';
import mongoose from 'mongoose';
import { pairKeyOf } from '../models/connection.model.js';
import { coveringCells } from '../utils/geo.js';
import { benchDatabase, serve, stopServers, tableHeader, versus } from './harness.js';
import { CENTRE, seedUsers, signupAt } from './seed.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const count = Number(process.env.BENCH_USERS ?? 10_000);
const swipesEach = Number(process.env.BENCH_SWIPES ?? 10);
const heavySwipes = Number(process.env.BENCH_HEAVY_SWIPES ?? 20_000);
const db = await benchDatabase();
const STATUSES = ['interested', 'ignored', 'accepted', 'rejected'] as const;

/** Swipes from `from` on random people: one record per pair, as the app stores them. */
function swipesOf(from: string, ids: string[], n: number, seen: Set<string>, pick = () => ids[randomInt(ids.length)]!) {
  const docs = [];
  for (let k = 0; k < n; k++) {
    const to = pick();
    const pairKey = pairKeyOf(from, to);
    if (to === from || seen.has(pairKey)) continue;
    seen.add(pairKey);
    const now = new Date();
    docs.push({
      pairKey,
      memberIds: [from, to].sort().map((id) => new mongoose.Types.ObjectId(id)),
      senderId: new mongoose.Types.ObjectId(from),
      receiverId: new mongoose.Types.ObjectId(to),
      status: STATUSES[randomInt(STATUSES.length)],
      createdAt: now,
      updatedAt: now,
    });
  }
  return docs;
}

try {
  // Unlimited, as the raw baseline: the run measures the work, not the budget.
  const app = await serve(db.uri, 'app', 4121, { LOG_LEVEL: 'warn', RATE_LIMITS: 'discover:-/-@60' });
  const raw = await serve(db.uri, 'rawfind', 4122);
  const ids = (await seedUsers(db.uri, count)).map(String);
  const viewers = [
    await signupAt(app.url, { firstName: 'Viewer', interests: ['tag1', 'tag2', 'tag3'] }),
    await signupAt(app.url, { firstName: 'Picky', gender: 'male', interests: ['tag4'] }),
  ];
  const heavy = await signupAt(app.url, { firstName: 'Heavy', interests: ['tag1', 'tag2', 'tag3'] });

  const conn = await mongoose.createConnection(db.uri).asPromise();
  const connections = conn.db!.collection('connections');
  const seen = new Set<string>();
  let batch: ReturnType<typeof swipesOf> = [];
  for (const from of [...ids, ...viewers.map((v) => v.id)]) {
    batch.push(...swipesOf(from, ids, viewers.some((v) => v.id === from) ? 300 : swipesEach, seen));
    if (batch.length >= 1000) {
      await connections.insertMany(batch);
      batch = [];
    }
  }
  batch.push(...swipesOf(heavy.id, ids, 3000, seen));
  batch.push(...swipesOf(heavy.id, ids, heavySwipes, seen, () => String(new mongoose.Types.ObjectId())));
  for (let k = 0; k < batch.length; k += 1000) await connections.insertMany(batch.slice(k, k + 1000));
  // The picky viewer wants women of 25 to 35 within 50 km.
  await conn
    .db!.collection('users')
    .updateOne(
      { _id: new mongoose.Types.ObjectId(viewers[1]!.id) },
      { $set: { lookingFor: { genders: ['female'], minAge: 25, maxAge: 35, maxDistanceKm: 50 } } },
    );
  await conn.close();

  console.log(`\nDiscovery over ${count} users and ${seen.size} swipes (${seconds} s each, Node ${process.version})\n`);
  console.log(tableHeader);
  const variants: [string, { authorization: string }, number][] = [
    ['default (any gender, 100 km), page of 10', { authorization: viewers[0]!.authorization }, 100],
    ['women 25-35 within 50 km, page of 10', { authorization: viewers[1]!.authorization }, 50],
    [`heavy swiper (${3000 + heavySwipes} swipes), page of 10`, { authorization: heavy.authorization }, 100],
  ];
  let errors = 0;
  for (const [name, auth, km] of variants) {
    const cells = coveringCells(CENTRE, km).map((c) => `value=${encodeURIComponent(c)}`);
    errors += await versus(
      `discover: ${name} / indexed find`,
      seconds,
      { url: `${app.url}/api/v1/discover?limit=10`, headers: auth, pid: app.pid },
      { url: `${raw.url}/find?field=geoCells&limit=10&${cells.join('&')}`, pid: raw.pid },
    );
  }
  console.log(`\nnon-2xx or failed requests across the runs: ${errors}`);
} finally {
  stopServers();
  await db.stop();
}
process.exit(0);
