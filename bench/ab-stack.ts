/**
 * npm run bench:ab -- <other checkout> [path]: this checkout's request stack against another
 * checkout's (a git worktree of the commit before a change, with node_modules linked), meant to
 * tell a change of 5-15 % from noise on a two-core VM, where two servers of one build started
 * side by side measure up to 30 % apart (on a noisy day an A/A run's medians read 13 % apart:
 * docs/benchmarks.md, ninth pass; run one first). Each round starts both servers fresh, pinned
 * to CPU 1 with the load on CPU 0 (taskset, Linux), and measures each twice, in both orders;
 * it prints the server CPU per request of every measurement, the pairs, and the medians.
 * ROUNDS (default 4), BENCH_SECONDS (default 5) and WARM_SECONDS (default 8, each server's warm-up
 * per round) tune it; the path defaults to S1's route (a path outside /api/v1/bench/ is asked as
 * an account signed up at the start, as S1b's GET /api/v1/auth/me needs).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { benchDatabase, benchEnv, benchTokens } from './harness.js';
import { hammer, median } from './load.js';
import { signupAt } from './seed.js';

const [otherArg, path = '/api/v1/bench/auth'] = process.argv.slice(2);
if (!otherArg) {
  process.stderr.write('usage: npm run bench:ab -- <other checkout> [path]\n');
  process.exit(2);
}
const checkouts = { this: process.cwd(), other: resolve(otherArg) };
const rounds = Number(process.env.ROUNDS ?? 4);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const warmSeconds = Number(process.env.WARM_SECONDS ?? 8);
const db = await benchDatabase();
const token = benchTokens().sign({ sub: '6650f0f0f0f0f0f0f0f0f0f0', role: 'user', sid: 'bench-ab' });
const headers = { authorization: `Bearer ${token}` };
// A route that reads the caller's account (GET /api/v1/auth/me) needs one: signed up once, below.
const needsAccount = !path.startsWith('/api/v1/bench/');
// The load generator (this process, every thread) on CPU 0; the servers on CPU 1.
execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });

// A server left running (one started while the other failed) would hold its port for the next run.
const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function start(cwd: string, port: number) {
  const child = spawn('taskset', ['-c', '1', process.execPath, '--import', 'tsx', 'bench/servers.ts', 'app', String(port)], {
    cwd,
    env: benchEnv(db.uri, { RATE_LIMITS: 'write:-/-@60', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise<{ url: string; pid: number; stop: () => void }>((ready, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      // taskset execs node: the child's pid is the server's.
      if (d.toString().includes('ready'))
        ready({ url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => child.kill('SIGKILL') });
    });
    child.on('exit', (code) => fail(new Error(`the server in ${cwd} exited with ${code}`)));
  });
}

const cpu: Record<keyof typeof checkouts, number[]> = { this: [], other: [] };
for (let round = 0; round < rounds; round++) {
  const order: (keyof typeof checkouts)[] = round % 2 ? ['this', 'other'] : ['other', 'this'];
  const servers = await Promise.all(order.map((which, i) => start(checkouts[which], 4600 + i)));
  try {
    if (needsAccount && round === 0) headers.authorization = (await signupAt(servers[0]!.url, { firstName: 'Ab' })).authorization;
    // Each warmed first: on a fresh app the CPU per request falls for its first 6-9 s of load,
    // and the server measured first would be measured colder.
    for (const s of servers) await hammer(`${s.url}${path}`, warmSeconds, 50, headers);
    for (const turn of [0, 1]) {
      for (const i of turn ? [1, 0] : [0, 1]) {
        const run = await hammer(`${servers[i]!.url}${path}`, seconds, 50, headers, servers[i]!.pid);
        if (run.errors) throw new Error(`${order[i]}: ${run.errors} failed requests`);
        cpu[order[i]!].push(run.cpuUsPerRequest);
      }
    }
  } finally {
    for (const s of servers) s.stop();
  }
}
const fmt = (values: number[]) => values.map((v) => v.toFixed(0)).join(' ');
const lower = cpu.this.filter((v, i) => v < cpu.other[i]!).length;
console.log(`${path}, server CPU per request (µs), ${rounds} rounds of 2 each:`);
console.log(`  this  (${checkouts.this}): ${fmt(cpu.this)}; median ${median(cpu.this).toFixed(0)}`);
console.log(`  other (${checkouts.other}): ${fmt(cpu.other)}; median ${median(cpu.other).toFixed(0)}`);
console.log(`  this lower in ${lower} of ${cpu.this.length} measurements taken side by side`);
await db.stop();
process.exit(0);
