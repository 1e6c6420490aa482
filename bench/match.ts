/**
 * npm run bench:match: S7, matchmaking over 10,000 waiting people with realistic interests
 * and filters, each case against a naive FIFO matcher (the two longest waiting, whoever
 * they are) over the same people in the same run:
 *   drain   all 10,000 waiting when matching starts: matches per second, and time to match:found
 *   stream  10,000 joining at BENCH_JOINS_PER_SECOND (default 250, what the join path's four
 *           indexed reads sustain on FerretDB here): join -> match:found p50, p99
 * each on the in-process queue, then with two processes sharing the Redis queue (REDIS_URL).
 * BENCH_PEOPLE (default 10000) sets the crowd.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { benchDatabase, benchEnv, tableHeader } from './harness.js';
import { joinInput, matchablePerson, type Join, type JoinOrder, type WorkerReport } from './match-plan.js';
import { percentileOf } from './load.js';

const people = Number(process.env.BENCH_PEOPLE ?? 10_000);
const joinsPerSecond = Number(process.env.BENCH_JOINS_PER_SECOND ?? 250);
const redisUrl = process.env.REDIS_URL;
// BENCH_CASES=drain or =stream runs only those rows; BENCH_PROFILE=1 writes CPU profiles of the workers to /tmp/s7-prof.
const cases = (process.env.BENCH_CASES ?? 'drain,stream').split(',');
const db = await benchDatabase();
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  matchesPerSecond: number;
  matchedShare: number;
  p50: number;
  p99: number;
}

/** Starts a worker and resolves once it is connected. */
function startWorker(): Promise<ChildProcess> {
  const child = fork('bench/match-worker.ts', [], {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/s7-prof'] : [])],
    env: benchEnv(db.uri, { REDIS_URL: redisUrl ?? '', LOG_LEVEL: 'warn', MATCH_RESPONSE_MS: '300000' }),
  });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

const nextMessage = <T>(child: ChildProcess) => new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));

/** Waits until the stored matches stop growing for `quietMs` (after the first; the first plan of a drain takes a while). */
async function settle(quietMs: number): Promise<void> {
  const matches = mongoose.connection.db!.collection('matches');
  const giveUp = Date.now() + 120_000;
  let last = -1;
  let stillSince = Date.now();
  while (Date.now() < giveUp) {
    await sleep(250);
    const count = await matches.countDocuments();
    if (count !== last) [last, stillSince] = [count, Date.now()];
    else if (count > 0 && (Date.now() - stillSince >= quietMs || count * 2 >= people)) return;
  }
}

async function run(
  matcher: JoinOrder['matcher'],
  store: JoinOrder['store'],
  processes: number,
  scenario: JoinOrder['scenario'],
  joins: Join[],
): Promise<Outcome> {
  await mongoose.connection.db!.collection('matches').deleteMany({});
  const workers = await Promise.all(Array.from({ length: processes }, startWorker));
  const prefix = `bench:s7:${randomBytes(4).toString('hex')}:`;
  const startAt = Date.now() + 1500;
  const started = new Map<string, number>();
  const orders = workers.map((w, k) => {
    const order: JoinOrder = {
      matcher,
      store,
      prefix,
      scenario,
      joins: joins.filter((_, i) => i % processes === k),
      startAt,
      perSecond: joinsPerSecond / processes,
    };
    const reply = nextMessage<{ ready?: true; joined?: [string, number][] }>(w);
    w.send(order);
    return reply;
  });
  let from = 0;
  if (scenario === 'drain') {
    await Promise.all(orders);
    from = now();
    for (const w of workers) w.send({ go: true });
  } else {
    for (const reply of await Promise.all(orders)) for (const [id, t] of reply.joined!) started.set(id, t);
  }
  await settle(1500);
  const reports = await Promise.all(
    workers.map((w) => {
      const reply = nextMessage<WorkerReport>(w);
      w.send({ report: true });
      return reply;
    }),
  );
  // Workers exit once they have reported (writing a CPU profile when asked); stragglers are killed.
  await Promise.all(
    workers.map((w) => new Promise((resolve) => (w.exitCode !== null ? resolve(null) : w.once('exit', resolve)))),
  ).finally(() => workers.forEach((w) => w.kill('SIGKILL')));
  const found = new Map(reports.flatMap((r) => r.found));
  // A stream's wait runs from when the pair could first be made: both had joined (their
  // tickets made) and, for the ranked matcher, they fit, counting the relaxation of their
  // filters. Before that they wait for someone who fits, not for the matcher. A drain's
  // wait runs from when matching started.
  const waits = [...found.values()].map(([t, , ready]) => t - (scenario === 'drain' ? from : ready)).sort((a, b) => a - b);
  const first = scenario === 'drain' ? from : Math.min(...started.values());
  // Drain: the rate until 90% were matched (the last few wait for their filters to relax,
  // 10 s and more, by design; that wait is not matching speed). Stream: pairs made while
  // people were arriving, per second of arrivals.
  const times = [...found.values()].map(([t]) => t).sort((a, b) => a - b);
  const lastJoin = Math.max(...started.values());
  const rate =
    scenario === 'drain'
      ? (0.9 * found.size) / 2 / ((percentileOf(times, 0.9) - first) / 1000)
      : times.filter((t) => t <= lastJoin).length / 2 / ((lastJoin - first) / 1000);
  return {
    matchesPerSecond: rate,
    matchedShare: found.size / joins.length,
    p50: percentileOf(waits, 0.5),
    p99: percentileOf(waits, 0.99),
  };
}

function row(name: string, ours: Outcome, naive: Outcome, aims: [string, string]) {
  const share = (o: Outcome) => `${Math.round(o.matchedShare * 100)}% matched`;
  console.log(
    `| ${name}, matches/s | ${ours.matchesPerSecond.toFixed(0)} (${share(ours)}) | ${naive.matchesPerSecond.toFixed(0)} (${share(naive)}) | ${(ours.matchesPerSecond / naive.matchesPerSecond).toFixed(2)} | ${aims[0]} |`,
  );
  console.log(
    `| ${name}, to match:found p50 | ${ours.p50.toFixed(0)} ms | ${naive.p50.toFixed(0)} ms | ${(ours.p50 / naive.p50).toFixed(2)} | ${aims[1]} |`,
  );
  console.log(
    `| ${name}, to match:found p99 | ${ours.p99.toFixed(0)} ms | ${naive.p99.toFixed(0)} ms | ${(ours.p99 / naive.p99).toFixed(2)} | |`,
  );
}

try {
  await mongoose.connect(db.uri);
  const users = mongoose.connection.db!.collection('users');
  const joins: Join[] = [];
  for (let i = 0; i < people; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, people - i) }, (_, j) => ({
      _id: new mongoose.Types.ObjectId(),
      ...matchablePerson(i + j),
    }));
    await users.insertMany(batch);
    joins.push(...batch.map((u) => ({ userId: String(u._id), input: joinInput() })));
  }
  console.log(`\nMatchmaking S7 (${people} people, stream at ${joinsPerSecond} joins/s, Node ${process.version})\n`);
  console.log(tableHeader);
  for (const scenario of ['drain', 'stream'] as const) {
    if (!cases.includes(scenario)) continue;
    const aims: [string, string] = ['>= 0.5', scenario === 'stream' ? 'p50 <= 100 ms' : ''];
    const naive = await run('naive', 'memory', 1, scenario, joins);
    const what = scenario === 'drain' ? `S7 drain of ${people} waiting` : `S7 stream of ${people} joins`;
    row(`${what}, ranked / naive FIFO, one process`, await run('ranked', 'memory', 1, scenario, joins), naive, aims);
    if (redisUrl) {
      row(
        `${what}, ranked on Redis in two processes / naive in-process`,
        await run('ranked', 'redis', 2, scenario, joins),
        naive,
        aims,
      );
    }
  }
  if (!redisUrl) console.log('\n(REDIS_URL not set: the two-process Redis rows were skipped)');
} finally {
  await mongoose.disconnect();
  await db.stop();
}
process.exit(0);
