/**
 * npm run bench:soak: 1,000 sockets chatting for ten minutes across two processes on one
 * Redis (every pair split across them, so every delivery crosses Redis). Pass/fail lines:
 * no acked message lost, stored twice or delivered twice; memory flat after warm-up (each
 * process's resident memory at the end within 15% of where it stood after the first fifth).
 * Reports ack latency p50/p99. SOAK_MINUTES (10), SOAK_SOCKETS (1000) and SOAK_EVERY_S (60)
 * tune it. Each socket sends once a minute by default: about 17 messages a second in all,
 * which one FerretDB on this machine keeps up with; at one every 30 s it falls behind
 * after a few minutes and acks time out.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { Ledger, percentile, rssOf, seedPairs, socketOf, startApp, verdict } from './cluster.js';
import { benchDatabase } from './harness.js';

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const socketCount = Number(process.env.SOAK_SOCKETS ?? 1000);
const everyMs = Number(process.env.SOAK_EVERY_S ?? 60) * 1000;
const run = randomBytes(3).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

const db = await benchDatabase();
const apps = [await startApp(db.uri, 4401), await startApp(db.uri, 4402)];
let ok = false;
try {
  const pairs = await seedPairs(db.uri, Math.floor(socketCount / 2));
  const ledger = new Ledger();
  const sockets = new Map<string, Socket>();
  // Connected in small waves, as people arrive, not one handshake storm.
  for (let i = 0; i < pairs.length; i += 25) {
    await Promise.all(
      pairs.slice(i, i + 25).flatMap(([a, b]) =>
        [
          [a, apps[0]!],
          [b, apps[1]!],
        ].map(async ([person, app]) => {
          const p = person as (typeof pairs)[number][0];
          const socket = await socketOf((app as (typeof apps)[number]).url, p);
          ledger.listen(socket, p);
          sockets.set(p.id, socket);
        }),
      ),
    );
  }
  console.log(`${sockets.size} sockets connected; chatting for ${minutes} min`);

  const end = Date.now() + minutes * 60_000;
  const warmUpUntil = Date.now() + (minutes * 60_000) / 5;
  const memory: { at: number; rss: number[] }[] = [];
  const sampler = setInterval(() => {
    void Promise.all(apps.map((a) => rssOf(a.url))).then((rss) => memory.push({ at: Date.now(), rss }));
  }, 10_000);
  let n = 0;
  await Promise.all(
    pairs.flatMap(([a, b]) =>
      [
        [a, b],
        [b, a],
      ].map(async ([from, to]) => {
        await sleep(Math.random() * everyMs);
        while (Date.now() < end) {
          await ledger.send(sockets.get(from!.id)!, from!, to!, `${run}s${++n}x`);
          await sleep(everyMs);
        }
      }),
    ),
  );
  clearInterval(sampler);
  await sleep(2000);
  await ledger.catchUpAll();

  const stored = await ledger.stored(db.uri);
  const got = ledger.deliveries();
  const afterWarmUp = memory.find((m) => m.at >= warmUpUntil) ?? memory[0]!;
  const last = memory.at(-1)!;
  const growth = last.rss.map((r, i) => r / afterWarmUp.rss[i]!);
  const throughput = ledger.acked.size / (minutes * 60);

  console.log(`\nSoak (${sockets.size} sockets, two processes, ${minutes} min, Node ${process.version})\n`);
  console.log('| check | result | what was seen |\n|---|---|---|');
  const checks = [
    verdict(
      'no acked message lost or doubled',
      ledger.acked.size > 0 && stored.missing === 0 && stored.doubled === 0 && got.undelivered === 0 && got.doubled === 0,
      `${ledger.acked.size} acked (${throughput.toFixed(1)}/s, ${ledger.failedSends} refused or timed out), lost ${stored.missing}, ` +
        `failures ${JSON.stringify(Object.fromEntries(ledger.failures))}, stored twice ${stored.doubled}, undelivered ${got.undelivered} (${got.caughtUpOnly} caught up by sync), delivered twice ${got.doubled}`,
    ),
    verdict(
      'memory flat after warm-up',
      growth.every((g) => g <= 1.15),
      `RSS per process after warm-up ${afterWarmUp.rss.map((r) => (r / MiB).toFixed(0)).join(' / ')} MiB, ` +
        `at the end ${last.rss.map((r) => (r / MiB).toFixed(0)).join(' / ')} MiB (x${growth.map((g) => g.toFixed(2)).join(' / x')})`,
    ),
  ];
  console.log(
    `| ack latency | | p50 ${percentile(ledger.latencies, 50).toFixed(0)} ms, p99 ${percentile(ledger.latencies, 99).toFixed(0)} ms, max ${percentile(ledger.latencies, 100).toFixed(0)} ms |`,
  );
  ok = checks.every(Boolean);
  for (const s of sockets.values()) s.close();
} finally {
  for (const app of apps) app.child.kill('SIGTERM');
  await Promise.all(apps.map((a) => a.exited));
  await db.stop();
}
process.exit(ok ? 0 : 1);
