import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { AccessTokens } from '../utils/jwt.js';
import { hammer } from './load.js';

export const BENCH_JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0001';
export const BENCH_CHAT_KEY = Buffer.alloc(32, 9);

/** Signs access tokens the bench servers accept (their JWT settings), valid for `ttlSeconds`. */
export const benchTokens = (ttlSeconds = 3600) =>
  new AccessTokens({ secret: BENCH_JWT_SECRET, issuer: 'devtinder-api', audience: 'devtinder-clients', ttlSeconds });

/**
 * What every benchmark needs: a fresh database (BENCH_MONGODB_URI or TEST_MONGODB_URI,
 * else an embedded mongod), servers in their own processes, and a results table.
 */
export async function benchDatabase(): Promise<{ uri: string; stop: () => Promise<void> }> {
  const base = process.env.BENCH_MONGODB_URI ?? process.env.TEST_MONGODB_URI;
  if (base) {
    const url = new URL(base);
    url.pathname = `/bench_${randomBytes(3).toString('hex')}`;
    return { uri: url.toString(), stop: async () => {} };
  }
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const server = await MongoMemoryServer.create();
  return { uri: server.getUri('bench'), stop: async () => void (await server.stop()) };
}

export interface Served {
  url: string;
  pid: number;
}

const children: ChildProcess[] = [];

/** The environment of a benchmark's server or worker process: production mode against `uri`. */
export function benchEnv(uri: string, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MONGODB_URI: uri,
    NODE_ENV: 'production',
    JWT_ACCESS_SECRET: BENCH_JWT_SECRET,
    CORS_ORIGINS: 'http://app.test',
    CHAT_KEYS: `bench:${BENCH_CHAT_KEY.toString('base64')}`,
    MAIL_PROVIDER: 'ses',
    SES_ENDPOINT: 'http://127.0.0.1:9',
    LOGIN_MAX_FAILURES_PER_IP: '100000',
    SIGNUP_PER_IP_PER_HOUR: '100000',
    // One load generator stands in for many people: its logins and sign-ups share no line.
    PASSWORD_CHECKS_PER_ADDRESS: '10000',
    REDIS_URL: '',
    LOG_LEVEL: 'info',
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
    RAZORPAY_KEY_ID: 'rzp_bench',
    RAZORPAY_KEY_SECRET: 'bench-key-secret',
    RAZORPAY_WEBHOOK_SECRET: 'bench-webhook-secret',
    RAZORPAY_API_URL: 'http://127.0.0.1:9',
    ...env,
  };
}

// BENCH_CPU_PROF=<dir>: each server writes a CPU profile there when the run ends (node --cpu-prof).
const profileDir = process.env.BENCH_CPU_PROF;

/** Starts `tsx bench/servers.ts <kind> <port>` in production mode against `uri`. */
export async function serve(uri: string, kind: string, port: number, env: Record<string, string> = {}): Promise<Served> {
  // One folder per server (kind-port): tsx's loader thread writes a profile of its own beside the server's.
  const profiling = profileDir ? ['--cpu-prof', '--cpu-prof-dir', `${profileDir}/${kind}-${port}`] : [];
  const child = spawn(
    process.execPath,
    [...profiling, '--expose-gc', '--import', 'tsx', 'bench/servers.ts', kind, String(port)],
    {
      env: benchEnv(uri, env),
      // Logs go to /dev/null: written (JSON formatting and all) but not kept.
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  child.stdout!.resume();
  return { url: `http://127.0.0.1:${port}`, pid: child.pid! };
}

// A profiling server exits on SIGINT and writes its profile.
const stopSignal = profileDir ? 'SIGINT' : 'SIGKILL';

/** Stops one server that serve started. */
export function stopServer(served: Served): void {
  const at = children.findIndex((c) => c.pid === served.pid);
  if (at !== -1) children.splice(at, 1)[0]!.kill(stopSignal);
}

export function stopServers(): void {
  for (const c of children.splice(0)) c.kill(stopSignal);
}

/** Prints a row of the markdown table docs/benchmarks.md keeps: ratio is ours / baseline. */
export function report(name: string, ours: number, baseline: number, unit: string, aim: string, shown?: [number, number]): void {
  const [a, b] = shown
    ? shown.map((v) => `${v.toFixed(0)} µs`)
    : [`${ours.toFixed(1)} ${unit}`, `${baseline.toFixed(1)} ${unit}`];
  console.log(`| ${name} | ${a} | ${b} | ${(ours / baseline).toFixed(2)} | ${aim} |`);
}

export const tableHeader = '| benchmark | ours | baseline | ratio | aim |\n|---|---|---|---|---|';

/**
 * One endpoint of ours against a baseline URL, 10 connections each: prints the req/s and
 * p99 rows and returns the failed requests of both.
 */
export async function versus(
  label: string,
  seconds: number,
  ours: { url: string; headers: Record<string, string>; pid: number },
  baseline: { url: string; pid: number },
  aims: [string, string] = ['>= 0.5', '<= 2'],
): Promise<number> {
  const a = await hammer(ours.url, seconds, 10, ours.headers, ours.pid);
  const b = await hammer(baseline.url, seconds, 10, {}, baseline.pid);
  report(`${label}, req/s`, a.rps, b.rps, 'req/s', aims[0]);
  report(`${label}, p99`, a.p99, b.p99, 'ms', aims[1]);
  return a.errors + b.errors;
}
