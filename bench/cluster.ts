/**
 * What the soak and fault runs share: the real server (server.ts, production mode) as
 * processes on one Redis, people paired and connected in the database, their sockets, and
 * a ledger of every acked message to check against what was stored and received.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import mongoose from 'mongoose';
import { io as connect, type Socket } from 'socket.io-client';
import { benchTokens, benchEnv } from './harness.js';
import { acceptedConnection, seedUsers } from './seed.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface AppProcess {
  url: string;
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];
// A run that fails half-way leaves no server behind on its ports.
process.on('exit', () => started.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

/** server.ts as pm2 would run it, on `port`, sharing Redis; resolves once /readyz answers 200. */
export async function startApp(uri: string, port: number, env: Record<string, string> = {}): Promise<AppProcess> {
  const url = `http://127.0.0.1:${port}`;
  if (await fetch(`${url}/healthz`).catch(() => undefined)) throw new Error(`port ${port} is taken by another server`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    env: benchEnv(uri, {
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL,
      APP_INSTANCES: '2',
      ENABLE_JOBS: 'false',
      LOG_LEVEL: 'warn',
      // The AWS SDK's notice about Node versions, once per process, is not what a run reports.
      NODE_NO_WARNINGS: '1',
      SOCKET_EVENTS_PER_SECOND: '1000000',
      RATE_LIMITS: 'message:-/-@60,socketConnect:-/-@60,write:-/-@60',
      RATE_LIMIT_PREFIX: `rl:bench:${port}:${Date.now()}:`,
      ...env,
    }),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  started.push(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await waitUntil(`server on ${port}`, async () => (await fetch(`${url}/readyz`)).status === 200, 60_000);
  return { url, port, child, exited };
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await check().catch(() => false)) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/** Resident memory of a process, from its own /metrics (read directly, as Prometheus would). */
export async function rssOf(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('process_resident_memory_bytes '));
  return Number(line?.split(' ')[1] ?? NaN);
}

const tokens = benchTokens(86_400);

export interface Person {
  id: string;
  token: string;
}

/** `pairs` pairs of generated people, each pair connected (friends) in the database. */
export async function seedPairs(uri: string, pairs: number): Promise<[Person, Person][]> {
  const ids = (await seedUsers(uri, pairs * 2)).map(String);
  const conn = await mongoose.createConnection(uri).asPromise();
  const now = new Date();
  const out: [Person, Person][] = [];
  const docs = [];
  for (let i = 0; i < pairs; i++) {
    const [a, b] = [ids[2 * i]!, ids[2 * i + 1]!];
    docs.push(acceptedConnection(a, b, now));
    const person = (id: string) => ({ id, token: tokens.sign({ sub: id, role: 'user', sid: 'bench' }) });
    out.push([person(a), person(b)]);
  }
  for (let i = 0; i < docs.length; i += 500) await conn.db!.collection('connections').insertMany(docs.slice(i, i + 500));
  await conn.close();
  return out;
}

/** A client socket that reconnects by itself (as the apps' clients do). */
export function socketOf(url: string, person: Person, extra: Parameters<typeof connect>[1] = {}): Promise<Socket> {
  const socket = connect(url, {
    transports: ['websocket'],
    auth: { token: person.token },
    forceNew: true,
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
    ...extra,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/**
 * Every message acked to a sender, and every delivery each receiver saw: at the end, what
 * was acked but never stored or never delivered (lost), and what arrived twice (doubled).
 */
export class Ledger {
  readonly acked = new Map<string, { to: string; at: number }>();
  readonly delivered = new Map<string, number>();
  readonly latencies: number[] = [];
  failedSends = 0;
  /** Why sends failed: an error code from the ack, or "timeout". */
  readonly failures = new Map<string, number>();

  /** Sends one message and records its ack (retrying once with the same id on a timeout, as clients do). */
  async send(socket: Socket, from: Person, to: Person, clientMessageId: string): Promise<void> {
    const started = performance.now();
    for (let attempt = 0; attempt < 3; attempt++) {
      const ack = (await socket
        .timeout(5000)
        .emitWithAck('chat:send', { toUserId: to.id, clientMessageId, text: `soak ${clientMessageId} from ${from.id}` })
        .catch(() => undefined)) as { ok: boolean } | undefined;
      if (ack?.ok) {
        this.latencies.push(performance.now() - started);
        this.acked.set(clientMessageId, { to: to.id, at: Date.now() });
        return;
      }
      const reason = ack ? (ack as unknown as { error: { code: string } }).error.code : 'timeout';
      this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
      if (ack) break; // refused outright: no retry
      await new Promise((r) => setTimeout(r, 500));
    }
    this.failedSends++;
  }

  /** Messages a receiver fetched with chat:sync after missing them live (a reconnect, an outage). */
  readonly caughtUp = new Set<string>();

  /**
   * Counts live deliveries to `me`'s socket (not the echo of its own sends), and after every
   * reconnect catches up from its last sync cursor, as the apps do.
   */
  listen(socket: Socket, me: Person): void {
    socket.on('chat:message', (m: { clientMessageId?: string; senderId: string }) => {
      if (m.senderId === me.id || !m.clientMessageId) return;
      this.delivered.set(m.clientMessageId, (this.delivered.get(m.clientMessageId) ?? 0) + 1);
    });
    let cursor: string | undefined;
    const sync = async () => {
      for (let more = true; more;) {
        const ack = (await socket
          .timeout(10_000)
          .emitWithAck('chat:sync', cursor ? { since: cursor } : {})
          .catch(() => undefined)) as
          | { ok: true; data: { messages: { clientMessageId?: string; senderId: string }[]; cursor: string; more: boolean } }
          | undefined;
        if (!ack?.ok) return;
        for (const m of ack.data.messages) if (m.senderId !== me.id && m.clientMessageId) this.caughtUp.add(m.clientMessageId);
        cursor = ack.data.cursor;
        more = ack.data.more;
      }
    };
    this.syncs.set(socket, sync);
    void sync();
    socket.io.on('reconnect', () => void sync());
  }

  private readonly syncs = new Map<Socket, () => Promise<void>>();

  /** Every receiver catches up once more (a client coming back to the foreground). */
  async catchUpAll(): Promise<void> {
    await Promise.all([...this.syncs.values()].map((sync) => sync()));
  }

  /** Acked messages missing from the database, and those stored more than once. */
  async stored(uri: string): Promise<{ missing: number; doubled: number }> {
    const conn = await mongoose.createConnection(uri).asPromise();
    const ids = [...this.acked.keys()];
    const counts = new Map<string, number>();
    for (let i = 0; i < ids.length; i += 200) {
      const rows = await conn
        .db!.collection('messages')
        .find({ clientMessageId: { $in: ids.slice(i, i + 200) } }, { projection: { clientMessageId: 1 } })
        .toArray();
      for (const r of rows) counts.set(String(r.clientMessageId), (counts.get(String(r.clientMessageId)) ?? 0) + 1);
    }
    await conn.close();
    return { missing: ids.filter((id) => !counts.has(id)).length, doubled: [...counts.values()].filter((n) => n > 1).length };
  }

  /** Acked messages the receiver never got (live or by catching up), those only caught up, and live doubles. */
  deliveries(): { undelivered: number; caughtUpOnly: number; doubled: number } {
    const ids = [...this.acked.keys()];
    return {
      undelivered: ids.filter((id) => !this.delivered.has(id) && !this.caughtUp.has(id)).length,
      caughtUpOnly: ids.filter((id) => !this.delivered.has(id) && this.caughtUp.has(id)).length,
      doubled: [...this.delivered.values()].filter((n) => n > 1).length,
    };
  }
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** A line of the pass/fail report. */
export function verdict(name: string, pass: boolean, detail: string): boolean {
  console.log(`| ${name} | ${pass ? 'PASS' : 'FAIL'} | ${detail} |`);
  return pass;
}
