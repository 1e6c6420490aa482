/**
 * npm run bench: the foundation's benchmarks, each against a baseline measured in the
 * same run, reported as ratios (docs/benchmarks.md keeps a run). Needs a database:
 * BENCH_MONGODB_URI or TEST_MONGODB_URI (FerretDB here), else an embedded mongod.
 * BENCH_SECONDS (default 8) and BENCH_BCRYPT_COST (default 10) tune it; BENCH_S1_PAIRS (3) and
 * BENCH_S1B_ROUNDS (5) how many pairs the median rows of S1 and S1b take.
 */
import bcrypt from 'bcrypt';
import { benchDatabase, benchTokens, report, serve as serveOn, stopServer, stopServers, tableHeader } from './harness.js';
import {
  alternated,
  cpuSeconds,
  hammer,
  hammeredAtOnce,
  hammeredInTurn,
  loop,
  mean,
  median,
  postJson,
  timedLoop,
  warmUp,
  type LoadResult,
  type Target,
  type TimedResult,
} from './load.js';
import { sessionWrites } from './session-write.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const s1bRoundCount = Number(process.env.BENCH_S1B_ROUNDS ?? 5);
if (!Number.isInteger(s1bRoundCount) || s1bRoundCount < 1) throw new Error('BENCH_S1B_ROUNDS: a whole number, 1 or more');
const cost = Number(process.env.BENCH_BCRYPT_COST ?? 10);
const db = await benchDatabase();
const serve = (kind: string, port: number, env: Record<string, string> = {}) =>
  serveOn(db.uri, kind, port, { BCRYPT_COST: String(cost), ...env });

try {
  const hello = await serve('hello', 4101);
  const floor = await serve('floor', 4105);
  const app = await serve('app', 4102);
  // Every bench request comes from one address: the write and sign-in budgets (1,200 and 60 a
  // minute) would cap S3.
  const appQuiet = await serve('app', 4104, { LOG_LEVEL: 'warn', RATE_LIMITS: 'write:-/-@60,signIn:-/-@60' });

  // Accounts signed up through the real API: one per login worker, since concurrent
  // logins to one account would count as in-flight attempts against its lockout.
  const password = 'bench password 123';
  const signupOne = async (i: number) => {
    const tag = `${Date.now()}${i}`;
    const res = await fetch(`${app.url}/api/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        firstName: 'Bench',
        lastName: 'Mark',
        gender: 'other',
        dateOfBirth: '1990-01-01',
        email: `bench-${tag}@example.com`,
        phone: `+1555${tag.slice(-8)}`,
        username: `bench_${tag}`,
        password,
        preference: 'friendship',
        interests: ['speed'],
      }),
    });
    if (res.status !== 201) throw new Error(`signup answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { user: { id: string; email: string }; accessToken: string };
  };
  const workers = 8;
  const accounts = await Promise.all(Array.from({ length: workers }, (_, i) => signupOne(i)));
  const account = accounts[0]!;
  const rawme = await serve('rawme', 4103);
  const auth = { authorization: `Bearer ${account.accessToken}` };

  console.log(`\nBenchmarks (${seconds} s each, bcrypt cost ${cost}, Node ${process.version})\n`);
  console.log(tableHeader);

  // S1: the authenticated stack against hello-world.
  // Two views of each pair: throughput with the load generator on the same two cores,
  // and the server CPU each request costs (baseline / ours = throughput once CPU-bound).
  const compare = (name: string, ours: LoadResult, baseline: LoadResult, aim: string) => {
    report(`${name}, req/s`, ours.rps, baseline.rps, 'req/s', aim);
    report(`${name}, server CPU per request (inverse)`, 1 / ours.cpuUsPerRequest, 1 / baseline.cpuUsPerRequest, '', aim, [
      ours.cpuUsPerRequest,
      baseline.cpuUsPerRequest,
    ]);
    console.log(
      `| ${name}: p50 ${ours.p50} / ${baseline.p50} ms, p99 ${ours.p99} / ${baseline.p99} ms (50 connections) | | | | |`,
    );
  };
  // A row from several measured pairs: the median of their ratios (one pair can read above 1
  // on noise), its µs cells the pairs' means; each pair on the line below it.
  const reportMedianOf = (name: string, over: string, each: [LoadResult, LoadResult][], aim: string) => {
    if (!each.length) return;
    const ratioOf = ([ours, baseline]: [LoadResult, LoadResult]) => baseline.cpuUsPerRequest / ours.cpuUsPerRequest;
    const ours = mean(each.map(([o]) => o.cpuUsPerRequest));
    const baseline = mean(each.map(([, b]) => b.cpuUsPerRequest));
    console.log(
      `| ${name}, server CPU (inverse), median of ${over} | ${ours.toFixed(0)} µs | ${baseline.toFixed(0)} µs | ${median(each.map(ratioOf)).toFixed(2)} | ${aim} |`,
    );
    // Throughput too: the figures the issue quotes (S1b 0.70 in the first run, docs/benchmarks.md) are the req/s rows.
    const rpsRatios = each.map(([o, b]) => o.rps / b.rps);
    console.log(
      `| ${name}, req/s, median of ${over} | ${mean(each.map(([o]) => o.rps)).toFixed(1)} req/s | ${mean(each.map(([, b]) => b.rps)).toFixed(1)} req/s | ${median(rpsRatios).toFixed(2)} | ${aim} |`,
    );
    const shown = each.map(
      ([o, b]) =>
        `${o.cpuUsPerRequest.toFixed(0)} / ${b.cpuUsPerRequest.toFixed(0)} (${ratioOf([o, b]).toFixed(2)}; req/s ${(o.rps / b.rps).toFixed(2)}; p50 ${o.p50} / ${b.p50}, p99 ${o.p99} / ${b.p99} ms)`,
    );
    console.log(`| ${name}: ${each.length} ${over}, ours / baseline µs (ratio): ${shown.join(', ')} | | | | |`);
  };
  // Every server of these rows is warmed up first: on a fresh app the CPU per request falls
  // by about a quarter over its first 6-9 s of load (compiled code replacing the first
  // calls' interpreted code), where hello-world is level from its first second; a 1 s
  // warm-up measured the Bearer row partly cold and the cookie row after it warm.
  const helloAt: Target = { url: `${hello.url}/hello`, pid: hello.pid };
  const bearerAt = { url: `${app.url}/api/v1/bench/auth`, pid: app.pid, headers: auth };
  const cookieAt = { ...bearerAt, headers: { cookie: `access_token=${account.accessToken}` } };
  const quietAt = { url: `${appQuiet.url}/api/v1/bench/auth`, pid: appQuiet.pid, headers: auth };
  const floorAt = { url: `${floor.url}/hello`, pid: floor.pid, headers: auth };
  const healthAt: Target = { url: `${app.url}/healthz`, pid: app.pid };
  for (const target of [helloAt, bearerAt, healthAt, quietAt, floorAt]) await hammer(target.url, 10, 50, target.headers);
  // Each row measured in turn with its own baseline (hammeredInTurn), not against one
  // hello-world run made before them all.
  const runs: LoadResult[] = [];
  const row = async (name: string, ours: Target, baseline: Target, aim: string) => {
    const pair = await hammeredInTurn(ours, baseline, seconds);
    // A refused or failed request is cheaper than a served one: a row with any is no measure.
    if (pair[0].errors || pair[1].errors) throw new Error(`${name}: failed requests (${pair[0].errors} / ${pair[1].errors})`);
    compare(name, ...pair, aim);
    runs.push(...pair);
  };
  await row('S1 auth stack (Bearer) / hello-world', bearerAt, helloAt, '>= 0.7');
  // The other S1 route: the global stack and the liveness probe, no token.
  await row('S1 /healthz / hello-world', healthAt, helloAt, '>= 0.7');
  await row('S1 auth stack (cookie) / hello-world', cookieAt, helloAt, '>= 0.7');
  await row('S1 auth stack (Bearer, access log off) / hello-world', quietAt, helloAt, '>= 0.7');
  // Where S1's aim stands against the layers it must keep: the same layers, the plain way,
  // on bare Express (servers.ts "floor"). Ours against that floor says what our code adds.
  await row('S1 floor: the required layers on bare Express / hello-world', floorAt, helloAt, 'context');
  await row('S1 auth stack (Bearer) / that floor', bearerAt, floorAt, 'context');

  // S1b: GET /me against the same lean findById on the raw driver.
  const rawAt = { url: `${rawme.url}/me`, pid: rawme.pid, headers: { 'x-user-id': account.user.id } };
  const meAt = { url: `${app.url}/api/v1/auth/me`, pid: app.pid, headers: auth };
  const floorMeAt = { url: `${floor.url}/me`, pid: floor.pid, headers: auth };
  for (const target of [rawAt, meAt, floorMeAt]) await hammer(target.url, 5, 50, target.headers);
  await row('S1b GET /me / raw-driver findById', meAt, rawAt, '>= 0.9');
  // One pair reads 0.70 to 0.92 on this VM with no change to the code (docs, eleventh pass):
  // the same two processes measured in turn BENCH_S1B_ROUNDS times more, the median kept.
  const s1bRounds: [LoadResult, LoadResult][] = [];
  for (let i = 0; i < s1bRoundCount; i++) {
    const pair = await hammeredInTurn(meAt, rawAt, seconds);
    if (pair[0].errors || pair[1].errors) throw new Error(`S1b round ${i}: failed requests`);
    runs.push(...pair);
    s1bRounds.push(pair);
  }
  reportMedianOf('S1b GET /me / raw-driver findById', 'rounds on the same processes', s1bRounds, '>= 0.9');
  // The same pair driven at the same time (25 connections each), so the VM's drift between
  // turns, several times the distance to the aim here, falls on both sides alike.
  const s1bAtOnce: [LoadResult, LoadResult][] = [];
  for (let i = 0; i < s1bRoundCount; i++) {
    const pair = await hammeredAtOnce(meAt, rawAt, seconds);
    if (pair[0].errors || pair[1].errors) throw new Error(`S1b round at once ${i}: failed requests`);
    s1bAtOnce.push(pair);
  }
  reportMedianOf('S1b GET /me / raw-driver findById', 'rounds driven at once', s1bAtOnce, '>= 0.9');
  // Where S1b's aim stands against the layers it must keep: the same read behind them on bare
  // Express (servers.ts "floor"), against the bare read and against ours.
  await row(
    'S1b floor: the required layers and the same read on bare Express / raw-driver findById',
    floorMeAt,
    rawAt,
    'context',
  );
  await row('S1b GET /me / that floor', meAt, floorMeAt, 'context');

  // Login timing: a wrong password and an unknown account should take the same time
  // (one bcrypt comparison each). Interleaved, one at a time, 4 per account (under the lockout).
  const timeLogin = async (identifier: string) => {
    const start = process.hrtime.bigint();
    const res = await postJson(`${appQuiet.url}/api/v1/auth/login`, { identifier, password: 'not the password' });
    if (res.status !== 401) throw new Error(`failed login answered ${res.status}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  let knownMs = 0;
  let unknownMs = 0;
  for (let round = 0; round < 4; round++) {
    for (const [i, a] of accounts.entries()) {
      knownMs += await timeLogin(a.user.email);
      unknownMs += await timeLogin(`nobody-${round}-${i}-${Date.now()}@example.com`);
    }
  }
  const attempts = 4 * accounts.length;
  report('S3 failed login: unknown account / wrong password (mean)', unknownMs / attempts, knownMs / attempts, 'ms', '~ 1.0');

  // S3: login against raw bcrypt at the same cost, 8 at once on both sides. The app runs
  // BCRYPT_CONCURRENCY (cores - 1, so 1 here) hashes at a time, by design, where the raw
  // loop uses the threadpool's four: this row reads about 0.5 on two cores, and refresh /
  // login compares refreshes with logins as the app serves them.
  const hash = await bcrypt.hash(password, cost);
  const rawBcrypt = await loop(seconds, workers, async () => void (await bcrypt.compare(password, hash)));
  const bodies = accounts.map((a) => ({ identifier: a.user.email, password }));
  const loginOnce = async (w: number) => {
    const res = await postJson(`${appQuiet.url}/api/v1/auth/login`, bodies[w]);
    if (res.status !== 200) throw new Error(`login answered ${res.status}`);
  };
  // Warmed up like every other row (bcrypt's time dwarfs the code's, so a few logins do).
  await loop(2, workers, loginOnce);
  const login = await timedLoop(seconds, workers, loginOnce);
  const loginRate = login.rate;
  report('S3 login / raw bcrypt.compare', loginRate, rawBcrypt, 'ops/s', '>= 0.9');

  // Refresh: each worker follows its own rotating chain.
  const chains = await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const res = await postJson(`${appQuiet.url}/api/v1/auth/login`, bodies[w]);
      return String(res.body.refreshToken);
    }),
  );
  const refreshOnce = async (w: number) => {
    const res = await postJson(`${appQuiet.url}/api/v1/auth/refresh`, { refreshToken: chains[w] });
    if (res.status !== 200) throw new Error(`refresh answered ${res.status}`);
    chains[w] = String(res.body.refreshToken);
  };
  // Warmed up first, as autocannon's runs are (hammer), but for longer: compiled code, not
  // the first calls, is measured (warmUp says why).
  const warming = await warmUp(15, workers, refreshOnce);
  console.log(`| S3 refresh warm-up, 1 s slices: ${warming.map((r) => r.toFixed(0)).join(', ')} ops/s | | | | |`);
  const appCpuBefore = cpuSeconds(appQuiet.pid);
  const refresh = await timedLoop(seconds, workers, refreshOnce);
  const appCpuMs = ((cpuSeconds(appQuiet.pid) - appCpuBefore) * 1000) / refresh.operations;
  report('S3 refresh / login', refresh.rate, loginRate, 'ops/s', '>= 50');
  const latencies = (r: TimedResult) => `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;
  console.log(
    `| S3 refresh: ${latencies(refresh)}, app CPU ${appCpuMs.toFixed(2)} ms each; login: ${latencies(login)} (8 at once) | | | | |`,
  );
  // A refresh is one conditional write on its session: that write on the raw driver, 8 at
  // once, is as fast as a refresh can be on this database. The two alternate (this VM's
  // speed drifts between two runs made one after the other); the row's refresh rate is its
  // own slices', not the row above's.
  const writes = await sessionWrites(db.uri, workers);
  try {
    const writeWarming = await warmUp(5, workers, writes.writeOne);
    console.log(
      `| S3 raw session write warm-up, 1 s slices: ${writeWarming.map((r) => r.toFixed(0)).join(', ')} ops/s | | | | |`,
    );
    const slices = await alternated(seconds / 2, workers, writes.writeOne, refreshOnce);
    report('S3 refresh / its one session write on the raw driver', mean(slices.b), mean(slices.a), 'ops/s', 'context');
    const shown = (rates: number[]) => rates.map((r) => r.toFixed(0)).join(', ');
    console.log(
      `| S3 slices (write, refresh, refresh, write): ${shown(slices.a.slice(0, 1))}, ${shown(slices.b)}, ${shown(slices.a.slice(1))} ops/s | | | | |`,
    );
  } finally {
    await writes.close();
  }

  // GET /me p99 with logins saturating the CPU, against its idle p99.
  const idle = await hammer(`${appQuiet.url}/api/v1/auth/me`, seconds, 10, auth);
  const [busy] = await Promise.all([
    hammer(`${appQuiet.url}/api/v1/auth/me`, seconds, 10, auth),
    loop(seconds, workers, loginOnce),
  ]);
  report('S3 GET /me p99 under login load / idle p99', busy.p99, idle.p99, 'ms', '<= 2');
  // S1 again, over fresh processes: two servers of one build read up to 30 % apart on this VM
  // (docs, ninth pass), so the one-process rows above can move that much with no change to the
  // code. Each pair is a new hello-world and a new app, warmed, measured in turn, then stopped.
  // The row is the median of the pairs' ratios (reportMedianOf).
  const pairs = Number(process.env.BENCH_S1_PAIRS ?? 3);
  const measured = { bearer: [] as [LoadResult, LoadResult][], health: [] as [LoadResult, LoadResult][] };
  for (let i = 0; i < pairs; i++) {
    const pairHello = await serve('hello', 4201 + i);
    const pairApp = await serve('app', 4211 + i);
    // A token of its own: the sign-up's lives 15 minutes, and these rows come last.
    const token = benchTokens().sign({ sub: account.user.id, role: 'user', sid: `s1-pair-${i}` });
    const base: Target = { url: `${pairHello.url}/hello`, pid: pairHello.pid };
    const routes: Record<'bearer' | 'health', Target> = {
      bearer: { url: `${pairApp.url}/api/v1/bench/auth`, pid: pairApp.pid, headers: { authorization: `Bearer ${token}` } },
      health: { url: `${pairApp.url}/healthz`, pid: pairApp.pid },
    };
    for (const target of [base, routes.bearer, routes.health]) await hammer(target.url, 10, 50, target.headers);
    for (const route of ['bearer', 'health'] as const) {
      const pair = await hammeredInTurn(routes[route], base, seconds);
      if (pair[0].errors || pair[1].errors) throw new Error(`S1 pair ${i}, ${route}: failed requests`);
      runs.push(...pair);
      measured[route].push(pair);
    }
    stopServer(pairApp);
    stopServer(pairHello);
  }
  reportMedianOf('S1 auth stack (Bearer) / hello-world', 'fresh process pairs', measured.bearer, '>= 0.7');
  reportMedianOf('S1 /healthz / hello-world', 'fresh process pairs', measured.health, '>= 0.7');

  const errors = [...runs, idle, busy].reduce((n, r) => n + r.errors, 0);
  console.log(`\nnon-2xx or failed requests across the runs: ${errors}`);
} finally {
  stopServers();
  await db.stop();
}
process.exit(0);
