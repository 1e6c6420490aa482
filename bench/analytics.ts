/**
 * npm run bench:analytics: the admin analytics over 90 days of activity of 10,000 people
 * (the counters their activity leaves: day, day-by-hour, week and month buckets), p50 and p99 of
 * GET /admin/analytics for the 90 days and of the hourly view of 14, against reading one
 * precomputed bucket document, in the same run. BENCH_PEOPLE (10000) and BENCH_ROUNDS (200) tune it.
 */
import { randomInt } from 'node:crypto';
import mongoose from 'mongoose';
import { ACTIVITY_EVENTS } from '../models/analytics.model.js';
import { dayKey, hourField, hoursKey, monthKey, weekKey } from '../services/analytics/buckets.js';
import { benchDatabase, benchTokens, serve, stopServers, tableHeader } from './harness.js';
import { percentileOf } from './load.js';

const people = Number(process.env.BENCH_PEOPLE ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 200);
const DAYS = 90;
const db = await benchDatabase();

/** What 90 days of `people` leave behind: every bucket their activity touches, with plausible counts. */
function generatedBuckets(start: number) {
  const docs = new Map<string, Record<string, number>>();
  const add = (id: string, counts: Record<string, number>) => {
    const doc = docs.get(id) ?? {};
    for (const [k, v] of Object.entries(counts)) doc[k] = (doc[k] ?? 0) + v;
    docs.set(id, doc);
  };
  for (let d = 0; d < DAYS; d++) {
    const day = new Date(start + d * 86_400_000);
    const active = Math.round(people * (0.2 + Math.random() * 0.1));
    const counts: Record<string, number> = { active, cohort: randomInt(50, 150), retained_d1: randomInt(10, 50) };
    for (const e of ACTIVITY_EVENTS) counts[e] = randomInt(active, active * 5);
    counts.session_seconds = counts.session! * 600;
    counts.session_band_300 = counts.session!;
    counts.revenue_gold = randomInt(100_000, 1_000_000);
    const hours: Record<string, number> = {};
    for (let h = 0; h < 24; h++) {
      const hour = new Date(day.getTime() + h * 3_600_000);
      for (const e of ACTIVITY_EVENTS) hours[hourField(hour, e)] = Math.ceil(counts[e]! / 24);
    }
    add(dayKey(day), counts);
    add(hoursKey(day), hours);
    add(weekKey(day), { active: Math.round(active * 1.5) });
    add(monthKey(day), { active: Math.round(active * 2) });
  }
  return [...docs].map(([_id, counts]) => ({ _id, counts }));
}

/** p50 and p99 in ms of `rounds` sequential calls. */
async function timed(call: () => Promise<void>) {
  for (let i = 0; i < 10; i++) await call();
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint();
    await call();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentileOf(ms, 0.5), p99: percentileOf(ms, 0.99) };
}

try {
  const app = await serve(db.uri, 'appio', 4161, { LOG_LEVEL: 'warn', RATE_LIMITS: 'write:-/-@60' });
  const conn = await mongoose.createConnection(db.uri).asPromise();
  const start = Date.UTC(2026, 0, 5);
  const buckets = generatedBuckets(start);
  await conn.db!.collection('analyticsbuckets').insertMany(buckets as never[]);
  const admin = new mongoose.Types.ObjectId();
  await conn.db!.collection('users').insertOne({ _id: admin, role: 'admin', firstName: 'Bench', createdAt: new Date() });
  const token = benchTokens().sign({
    sub: String(admin),
    role: 'admin',
    sid: 'bench',
  });
  const day = (d: number) => new Date(start + d * 86_400_000).toISOString().slice(0, 10);
  const get = (query: string) => async () => {
    const res = await fetch(`${app.url}/api/v1/admin/analytics?${query}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`analytics answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  const one = dayKey(new Date(start + 45 * 86_400_000));
  const baseline = await timed(async () => {
    await conn.db!.collection('analyticsbuckets').findOne({ _id: one as never });
  });
  const ninety = await timed(get(`from=${day(0)}&to=${day(DAYS - 1)}`));
  const hourly = await timed(get(`from=${day(76)}T00:00:00Z&to=${day(89)}T23:00:00Z&granularity=hour`));
  await conn.close();

  console.log(`\nAnalytics over ${DAYS} days of ${people} people (${buckets.length} bucket documents), ${rounds} calls each\n`);
  console.log(tableHeader);
  for (const [label, r] of [
    ['GET /admin/analytics, 90 days by day', ninety],
    ['GET /admin/analytics, 14 days by hour', hourly],
  ] as const) {
    console.log(
      `| ${label}, p50 | ${r.p50.toFixed(1)} ms | ${baseline.p50.toFixed(2)} ms | ${(r.p50 / baseline.p50).toFixed(1)} | report |`,
    );
    console.log(
      `| ${label}, p99 | ${r.p99.toFixed(1)} ms | ${baseline.p99.toFixed(2)} ms | ${(r.p99 / baseline.p99).toFixed(1)} | report |`,
    );
  }
  console.log('\nBaseline: one bucket document read by id from the same database, in the same run.');
} finally {
  stopServers();
  await db.stop();
}
