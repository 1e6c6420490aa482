/**
 * npm run bench:all: every benchmark and proof run, one after another (never side by
 * side: they would measure each other), into a dated report in bench/reports/. Each
 * table row gets its ratio in the latest earlier report beside it, so what a change cost shows.
 *   BENCH_ONLY=chat,faults   run only these (the names below)
 *   SOAK_MINUTES             passed on to the soak (10 by default)
 * Exits non-zero when a run fails (a fault or soak check, a crash).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const RUNS: { name: string; script: string; what: string }[] = [
  { name: 'foundation', script: 'bench/run.ts', what: 'S1, S1b, S3: the request stack, GET /me, login and refresh' },
  { name: 'search', script: 'bench/search.ts', what: 'search by name, interest and distance' },
  { name: 'discovery', script: 'bench/discovery.ts', what: 'the swipe feed' },
  { name: 'chat', script: 'bench/chat.ts', what: 'S2 history, S4 send and typing, S5 group fan-out' },
  { name: 'sockets', script: 'bench/sockets.ts', what: 'S6 memory of idle authenticated sockets' },
  { name: 'match', script: 'bench/match.ts', what: 'S7 matchmaking drains and streams' },
  { name: 'feed', script: 'bench/feed.ts', what: 'S8 For You' },
  { name: 'notifications', script: 'bench/notifications.ts', what: 'notification fan-out' },
  { name: 'analytics', script: 'bench/analytics.ts', what: 'admin analytics' },
  { name: 'adaptive', script: 'bench/adaptive-matching.ts', what: 'adaptive matching simulation' },
  { name: 'adaptive-discovery', script: 'bench/adaptive-discovery.ts', what: 'the discovery feed with each ranking' },
  { name: 'faults', script: 'bench/faults.ts', what: 'kill -9, Redis restart, database outage' },
  { name: 'soak', script: 'bench/soak.ts', what: '1,000 sockets chatting across two processes' },
];

const REPORTS = join(process.cwd(), 'bench', 'reports');
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const chosen = RUNS.filter((r) => !only || only.includes(r.name));
const stamp = new Date().toISOString().slice(0, 16).replace(':', '-');

/** Each row's ratio in the newest earlier report that has the row (runs may pick a few with BENCH_ONLY). */
function previousRatios(): Map<string, string> {
  mkdirSync(REPORTS, { recursive: true });
  const ratios = new Map<string, string>();
  const reports = readdirSync(REPORTS)
    .filter((f) => f.endsWith('.md'))
    .sort();
  for (const report of reports) {
    for (const line of readFileSync(join(REPORTS, report), 'utf8').split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      if (cells.length >= 7 && /^\d/.test(cells[4] ?? '')) ratios.set(cells[1]!, cells[4]!);
    }
  }
  return ratios;
}

function runOne(script: string): Promise<{ code: number; output: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      process.stdout.write(d);
      output += d.toString();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    child.on('exit', (code) => resolve({ code: code ?? 1, output, seconds: (Date.now() - started) / 1000 }));
  });
}

/** The run's markdown tables; ratio tables (benchmark | ours | baseline | ratio | aim) get the previous ratio beside. */
function tablesOf(output: string, previous: Map<string, string>): string {
  return output
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .map((line) => {
      const cells = line.split('|').map((c) => c.trim());
      // Five columns between the bars: a ratio table; anything else is kept as it is.
      if (cells.length !== 7) return line;
      if (cells[1] === 'benchmark') return `${line} previous |`;
      if (/^-+$/.test(cells[1]!)) return `${line}---|`;
      return `${line} ${previous.get(cells[1]!) ?? ''} |`;
    })
    .join('\n');
}

const previous = previousRatios();
const sections: string[] = [];
let failed = 0;
for (const { name, script, what } of chosen) {
  console.log(`\n==> ${name}: ${what} (${script})`);
  const { code, output, seconds } = await runOne(script);
  if (code !== 0) failed++;
  sections.push(
    `## ${name}: ${what}\n\n\`${script}\`, ${seconds.toFixed(0)} s, ${code === 0 ? 'completed' : `FAILED (exit ${code})`}\n\n${tablesOf(output, previous) || '(no table)'}\n`,
  );
}

const file = join(REPORTS, `${stamp}.md`);
writeFileSync(
  file,
  `# Benchmark run of ${stamp.replace('T', ' ')} UTC\n\nNode ${process.version}; every ratio is ours / a baseline measured in the same run. ` +
    `"previous" is the ratio in the report before this one.\n\n${sections.join('\n')}`,
);
console.log(`\nreport: ${file}${failed ? ` (${failed} run(s) failed)` : ''}`);
process.exit(failed ? 1 : 0);
