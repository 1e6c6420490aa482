/**
 * npm run bench:faults: the backend under faults, each with a pass/fail line.
 *   1. kill -9 of one of two processes mid-stream: its clients reconnect to the other
 *      (through a balancer acting as nginx) and catch up; no acked message lost or doubled.
 *   2. Redis restarted mid-stream (a private redis-server): the processes carry on and
 *      recover by themselves; no acked message lost or doubled.
 *   3. The database stopped and started (a private FerretDB, ../shared/ferretdb): readiness
 *      turns 503, requests fail fast with 503, and everything recovers without a restart.
 * Needs redis-server on the PATH; the database fault needs the FerretDB scripts (skipped
 * with a line otherwise). FAULT_PAIRS (default 40) people in conversation.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { startBalancer } from './balancer.js';
import {
  Ledger,
  percentile,
  seedPairs,
  socketOf,
  startApp,
  verdict,
  waitUntil,
  type AppProcess,
  type Person,
} from './cluster.js';
import { benchDatabase } from './harness.js';

const PAIRS = Number(process.env.FAULT_PAIRS ?? 40);
const FERRET = '../shared/ferretdb';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const results: boolean[] = [];
const run = randomBytes(3).toString('hex');

/** Both people of every pair send to each other every `everyMs` until stopped. */
function chatter(ledger: Ledger, pairs: [Person, Person][], sockets: Map<string, Socket>, everyMs: number) {
  let going = true;
  let n = 0;
  const loops = pairs.flatMap(([a, b]) =>
    [
      [a, b],
      [b, a],
    ].map(async ([from, to]) => {
      await sleep(Math.random() * everyMs);
      while (going) {
        await ledger.send(sockets.get(from!.id)!, from!, to!, `${run}f${++n}x`);
        await sleep(everyMs);
      }
    }),
  );
  return async () => {
    going = false;
    await Promise.all(loops);
  };
}

async function connectAll(url: string, pairs: [Person, Person][], ledger: Ledger) {
  const sockets = new Map<string, Socket>();
  for (const person of pairs.flat()) {
    const socket = await socketOf(url, person);
    ledger.listen(socket, person);
    sockets.set(person.id, socket);
  }
  return sockets;
}

async function settle(ledger: Ledger, uri: string, name: string, extra: string) {
  await sleep(1500);
  await ledger.catchUpAll();
  const stored = await ledger.stored(uri);
  const got = ledger.deliveries();
  const pass =
    ledger.acked.size > 0 && stored.missing === 0 && stored.doubled === 0 && got.undelivered === 0 && got.doubled === 0;
  results.push(
    verdict(
      name,
      pass,
      `${ledger.acked.size} acked (${ledger.failedSends} sends refused or timed out), lost ${stored.missing}, stored twice ${stored.doubled}, ` +
        `undelivered ${got.undelivered} (${got.caughtUpOnly} caught up by sync), delivered twice ${got.doubled}, ` +
        `ack p99 ${percentile(ledger.latencies, 99).toFixed(0)} ms${extra}`,
    ),
  );
}

async function killOneOfTwo(uri: string) {
  const apps = [await startApp(uri, 4301), await startApp(uri, 4302)];
  const balancer = await startBalancer(apps.map((a) => a.port));
  const pairs = await seedPairs(uri, PAIRS);
  const ledger = new Ledger();
  const sockets = await connectAll(balancer.url, pairs, ledger);
  const stop = chatter(ledger, pairs, sockets, 300);
  await sleep(3000);
  apps[1]!.child.kill('SIGKILL');
  const killedAt = Date.now();
  // Its clients notice (the connection drops), then all are connected again through the balancer.
  await waitUntil('the kill noticed', async () => [...sockets.values()].some((s) => !s.connected), 30_000);
  await waitUntil('every socket back', async () => [...sockets.values()].every((s) => s.connected), 30_000);
  const back = Date.now() - killedAt;
  await sleep(4000);
  await stop();
  await settle(ledger, uri, 'kill -9 of one of two processes', `, every socket back ${back} ms after the kill`);
  for (const s of sockets.values()) s.close();
  await balancer.close();
  apps[0]!.child.kill('SIGTERM');
  await apps[0]!.exited;
}

async function redisRestart(uri: string) {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('| Redis restarted mid-stream | SKIP | redis-server not on the PATH |');
    return;
  }
  const port = 6390 + (process.pid % 50);
  const startRedis = (): ChildProcess =>
    spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
  let redis = startRedis();
  await sleep(500);
  const env = { REDIS_URL: `redis://127.0.0.1:${port}` };
  const apps = [await startApp(uri, 4311, env), await startApp(uri, 4312, env)];
  const pairs = await seedPairs(uri, PAIRS);
  const ledger = new Ledger();
  // One of each pair on each process: every delivery crosses Redis.
  const sockets = new Map<string, Socket>();
  for (const [a, b] of pairs) {
    for (const [person, app] of [
      [a, apps[0]!],
      [b, apps[1]!],
    ] as const) {
      const socket = await socketOf(app.url, person);
      ledger.listen(socket, person);
      sockets.set(person.id, socket);
    }
  }
  const stop = chatter(ledger, pairs, sockets, 300);
  await sleep(3000);
  redis.kill('SIGKILL');
  await sleep(2000);
  redis = startRedis();
  const recovered = await waitUntil(
    'a message across processes after Redis is back',
    async () => {
      const [a, b] = pairs[0]!;
      const heard = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 1000);
        sockets.get(b.id)!.once('chat:message', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      await ledger.send(sockets.get(a.id)!, a, b, `${run}probe${Date.now()}x`);
      return heard;
    },
    30_000,
  );
  await sleep(3000);
  await stop();
  await settle(
    ledger,
    uri,
    'Redis restarted mid-stream',
    `, deliveries across processes again ${recovered} ms after the restart`,
  );
  for (const s of sockets.values()) s.close();
  for (const app of apps) app.child.kill('SIGTERM');
  await Promise.all(apps.map((a) => a.exited));
  redis.kill('SIGKILL');
}

async function databaseOutage() {
  if (!existsSync(`${FERRET}/start.sh`)) {
    console.log('| database stopped and started | SKIP | no ../shared/ferretdb scripts here |');
    return;
  }
  const port = String(27100 + (process.pid % 50));
  const ferret = (script: string, keep = false) =>
    spawnSync(`${FERRET}/${script}`, [port], { encoding: 'utf8', env: { ...process.env, ...(keep && { FERRETDB_KEEP: '1' }) } });
  const base = ferret('start.sh').stdout.trim();
  const url = new URL(base);
  url.pathname = `/faults_${run}`;
  const uri = url.toString();
  let app: AppProcess | undefined;
  try {
    app = await startApp(uri, 4321, { DB_SERVER_SELECTION_TIMEOUT_MS: '1500' });
    const [ana] = (await seedPairs(uri, 1))[0]!;
    const me = () => fetch(`${app!.url}/api/v1/users/me`, { headers: { authorization: `Bearer ${ana!.token}` } });
    const before = (await me()).status;
    ferret('stop.sh');
    const notReady = await waitUntil('readiness 503', async () => (await fetch(`${app!.url}/readyz`)).status === 503, 20_000);
    const started = performance.now();
    const during = (await me()).status;
    const failMs = performance.now() - started;
    ferret('start.sh', true);
    const recovered = await waitUntil(
      'readiness 200 again',
      async () => (await fetch(`${app!.url}/readyz`)).status === 200,
      60_000,
    );
    const after = (await me()).status;
    const alive = app.child.exitCode === null;
    results.push(
      verdict(
        'database stopped and started',
        before === 200 && during === 503 && failMs < 3000 && after === 200 && alive,
        `GET /users/me ${before} before, ${during} in ${failMs.toFixed(0)} ms during, ${after} after; readiness 503 after ` +
          `${notReady} ms, 200 again ${recovered} ms after the restart; the process was ${alive ? 'not ' : ''}restarted`,
      ),
    );
  } finally {
    app?.child.kill('SIGTERM');
    await app?.exited;
    ferret('stop.sh');
  }
}

/** Each fault on a database of its own. */
async function withDatabase(fault: (uri: string) => Promise<void>) {
  const db = await benchDatabase();
  try {
    await fault(db.uri);
  } finally {
    await db.stop();
  }
}

console.log(`\nFaults (${PAIRS} pairs chatting, Node ${process.version})\n`);
console.log('| fault | result | what was seen |\n|---|---|---|');
await withDatabase(killOneOfTwo);
await withDatabase(redisRestart);
await databaseOutage();
process.exit(results.every(Boolean) ? 0 : 1);
