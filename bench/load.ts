import { readFileSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface LoadResult {
  rps: number;
  /** Server CPU per request in microseconds: what throughput costs once the CPU is the limit. */
  cpuUsPerRequest: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Drives one URL with autocannon for `seconds`; non-2xx replies count as errors. */
export async function hammer(
  url: string,
  seconds: number,
  connections: number,
  headers: Record<string, string> = {},
  serverPid?: number,
): Promise<LoadResult> {
  // A short warm-up first, so JIT compilation and connection set-up are not measured.
  await autocannon({ url, duration: 1, connections, headers });
  const cpuBefore = serverPid ? cpuSeconds(serverPid) : 0;
  const r = await autocannon({ url, duration: seconds, connections, headers });
  return loadResult(r, serverPid ? cpuSeconds(serverPid) - cpuBefore : 0);
}

/** autocannon's figures with the server CPU (seconds) used while it ran. */
function loadResult(r: autocannon.Result, cpu: number): LoadResult {
  return {
    rps: r.requests.average,
    cpuUsPerRequest: r.requests.total ? (cpu * 1e6) / r.requests.total : 0,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.non2xx + r.errors + r.timeouts,
  };
}

/** A server to drive: its URL, the headers of every request, its process (for its CPU). */
export interface Target {
  url: string;
  pid: number;
  headers?: Record<string, string>;
}

/**
 * Two servers driven in turn, a, b, b, a, for half of `seconds` each: a drift of this VM's
 * speed over the pair weighs on both alike (measured one after the other, the baseline and
 * ours could fall on different speeds). Each side's figures are the mean of its two runs.
 */
export async function hammeredInTurn(a: Target, b: Target, seconds: number, connections = 50): Promise<[LoadResult, LoadResult]> {
  const runs = { a: [] as LoadResult[], b: [] as LoadResult[] };
  for (const which of ['a', 'b', 'b', 'a'] as const) {
    const { url, headers, pid } = which === 'a' ? a : b;
    runs[which].push(await hammer(url, seconds / 2, connections, headers, pid));
  }
  const merged = (two: LoadResult[]): LoadResult => ({
    rps: mean(two.map((r) => r.rps)),
    cpuUsPerRequest: mean(two.map((r) => r.cpuUsPerRequest)),
    p50: mean(two.map((r) => r.p50)),
    p99: mean(two.map((r) => r.p99)),
    errors: two.reduce((n, r) => n + r.errors, 0),
  });
  return [merged(runs.a), merged(runs.b)];
}

/**
 * Two servers driven at the same time, each by its own `connections`, for `seconds`: where
 * hammeredInTurn lets a drift of this VM's speed between the turns fall on one side (the same
 * two processes read 0.64 in one S1b round and 1.29 in the next), here every moment's speed
 * falls on both alike. Each side's CPU is read over the same window.
 */
export async function hammeredAtOnce(a: Target, b: Target, seconds: number, connections = 25): Promise<[LoadResult, LoadResult]> {
  const drive = (t: Target, duration: number) => autocannon({ url: t.url, duration, connections, headers: t.headers ?? {} });
  await Promise.all([drive(a, 1), drive(b, 1)]);
  const cpuBefore = [cpuSeconds(a.pid), cpuSeconds(b.pid)];
  const [ra, rb] = await Promise.all([drive(a, seconds), drive(b, seconds)]);
  return [loadResult(ra, cpuSeconds(a.pid) - cpuBefore[0]!), loadResult(rb, cpuSeconds(b.pid) - cpuBefore[1]!)];
}

/**
 * Runs `workers` loops of an async operation for `seconds` and counts completions:
 * for chains (each refresh needs the previous answer) that autocannon cannot express.
 */
export async function loop(seconds: number, workers: number, op: (worker: number) => Promise<void>): Promise<number> {
  const start = Date.now();
  const end = start + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (Date.now() < end) {
        await op(w);
        done++;
      }
    }),
  );
  // Over the time taken, not the time asked: the last operations end past the deadline
  // (with 8 logins of ~1.8 s in flight, dividing by `seconds` read 20-35 % high).
  return done / ((Date.now() - start) / 1000);
}

/**
 * Runs a chain of operations for `seconds` before it is measured, in one-second slices, and
 * returns each slice's rate. A refresh chain takes many seconds of calls to reach compiled
 * code, in the app and in its client alike (on a fresh server, fetch then the client: CPU per
 * refresh 3.2 -> 1.7 ms in the app, 2.1 -> 0.7 ms in the client, over the first 18 s), far
 * longer than autocannon's one-second warm-up: the slices show where it levels.
 */
export async function warmUp(seconds: number, workers: number, op: (worker: number) => Promise<void>): Promise<number[]> {
  const slices: number[] = [];
  for (let s = 0; s < seconds; s++) slices.push(await loop(1, workers, op));
  return slices;
}

const keptAlive = new http.Agent({ keepAlive: true });

/**
 * POSTs a JSON body on a kept-alive connection and reads the JSON answer: for the chained
 * loops (logins, refreshes) autocannon cannot drive. node:http, not fetch: the load
 * generator shares the two cores with the server and the database, and fetch cost 1.4-1.9
 * ms of CPU per refresh against 0.5-0.7 here (refreshes 10-25 % faster with the same server).
 */
export function postJson(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        agent: keptAlive,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(parts).toString();
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
          } catch {
            reject(new Error(`${url} answered ${res.statusCode} with no JSON: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    // A stuck server fails the run rather than hanging it.
    req.setTimeout(30_000, () => req.destroy(new Error(`${url} did not answer within 30 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The middle of `values` (the mean of the two middle ones for an even count; NaN for none). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (!sorted.length) return NaN;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The value below which `fraction` of the sorted values fall (NaN for none). */
export const percentileOf = (sorted: number[], fraction: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN;

export interface TimedResult {
  rate: number;
  /** How many were done. */
  operations: number;
  /** Milliseconds per operation. */
  p50: number;
  p99: number;
}

/** `loop`, timing each operation: the rate with the p50 and p99 of one operation's time. */
export async function timedLoop(seconds: number, workers: number, op: (worker: number) => Promise<void>): Promise<TimedResult> {
  const times: number[] = [];
  const rate = await loop(seconds, workers, async (w) => {
    const start = performance.now();
    await op(w);
    times.push(performance.now() - start);
  });
  times.sort((a, b) => a - b);
  return { rate, operations: times.length, p50: percentileOf(times, 0.5), p99: percentileOf(times, 0.99) };
}

/**
 * timedLoop of two operations in turn, a, b, b, a, for half of `seconds` each (as
 * hammeredInTurn): each side's rate and percentiles the means of its two runs.
 */
export async function timedInTurn(
  seconds: number,
  workers: number,
  a: (worker: number) => Promise<void>,
  b: (worker: number) => Promise<void>,
): Promise<[TimedResult, TimedResult]> {
  const runs = { a: [] as TimedResult[], b: [] as TimedResult[] };
  for (const which of ['a', 'b', 'b', 'a'] as const)
    runs[which].push(await timedLoop(seconds / 2, workers, which === 'a' ? a : b));
  const merged = (two: TimedResult[]): TimedResult => ({
    rate: mean(two.map((r) => r.rate)),
    operations: two.reduce((n, r) => n + r.operations, 0),
    p50: mean(two.map((r) => r.p50)),
    p99: mean(two.map((r) => r.p99)),
  });
  return [merged(runs.a), merged(runs.b)];
}

/**
 * The rates of two operations measured in turn, in the order a, b, b, a, for `seconds`
 * each: a drift of the machine over the run (this VM drifts) weighs on both alike.
 */
export async function alternated(
  seconds: number,
  workers: number,
  a: (worker: number) => Promise<void>,
  b: (worker: number) => Promise<void>,
): Promise<{ a: number[]; b: number[] }> {
  const rates = { a: [] as number[], b: [] as number[] };
  for (const which of ['a', 'b', 'b', 'a'] as const) rates[which].push(await loop(seconds, workers, which === 'a' ? a : b));
  return rates;
}

export const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
