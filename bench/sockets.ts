/**
 * npm run bench:sockets: S6, what an idle authenticated socket costs. BENCH_SOCKETS (default
 * 15,000) clients connect to the real app's Socket.IO server, each as its own person with a
 * token, and stay idle; the same count connects to a bare Socket.IO server, and to two more
 * app servers: as people with one offline friend each, and as people paired as friends (the
 * later of a pair to be announced finds the other online: four reads, a friend told).
 * Each server's memory (RSS, and V8's heap in use) is read after a garbage collection before
 * and after: the difference over the count is the cost of one connection.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { io as connect, type Socket } from 'socket.io-client';
import { Connection, pairKeyOf } from '../models/connection.model.js';
import { benchDatabase, benchTokens, report, serve, stopServer, stopServers, tableHeader, type Served } from './harness.js';

const count = Number(process.env.BENCH_SOCKETS ?? 15_000);
const db = await benchDatabase();
const tokens = benchTokens();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const memoryFile = (kind: string) => join(tmpdir(), `bench-memory-${process.pid}-${kind}.json`);

interface Memory {
  /** Resident memory, KiB. */
  rss: number;
  /** V8's heap in use, KiB. */
  heap: number;
  /** V8's heap reserved (in use or not), KiB: what the heap holds of the RSS. */
  heapTotal: number;
}

/** The server's memory once garbage is collected and the collector has settled (servers.ts writes it on SIGUSR2). */
async function settledMemory(server: Served, kind: string): Promise<Memory> {
  for (let i = 0; i < 3; i++) {
    process.kill(server.pid, 'SIGUSR2');
    await sleep(700);
  }
  const m = JSON.parse(readFileSync(memoryFile(kind), 'utf8')) as NodeJS.MemoryUsage;
  return { rss: m.rss / 1024, heap: m.heapUsed / 1024, heapTotal: m.heapTotal / 1024 };
}

function open(url: string, auth?: { token: string }): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...(auth && { auth }) });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

/** Connects `count` idle sockets (200 handshakes at a time); returns the memory grown per socket, in KiB. */
async function perSocket(
  server: Served,
  kind: string,
  auth: (i: number) => { token: string } | undefined,
  onOpen: (s: Socket) => void = () => {},
): Promise<Memory> {
  // A first few, closed again: code paths loaded and compiled before the reading.
  for (const s of await Promise.all(Array.from({ length: 200 }, (_, i) => open(server.url, auth(count + i))))) s.close();
  await sleep(1000);
  const before = await settledMemory(server, kind);
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 200) {
    sockets.push(
      // Listening from its connect: what it is told during the burst counts.
      ...(await Promise.all(
        Array.from({ length: Math.min(200, count - i) }, (_, j) => open(server.url, auth(i + j)).then((s) => (onOpen(s), s))),
      )),
    );
  }
  const after = await settledMemory(server, kind);
  for (const s of sockets) s.close();
  const grown = (field: keyof Memory) => (after[field] - before[field]) / count;
  return { rss: grown('rss'), heap: grown('heap'), heapTotal: grown('heapTotal') };
}

try {
  const env = {
    LOG_LEVEL: 'warn',
    // One address opens them all: its connection budget would refuse most.
    RATE_LIMITS: 'socketConnect:-/-@60',
  };
  const app = await serve(db.uri, 'appio', 4151, { ...env, BENCH_MEMORY_FILE: memoryFile('appio') });
  const offlineFriendApp = await serve(db.uri, 'appio', 4153, { ...env, BENCH_MEMORY_FILE: memoryFile('appio-offline-friend') });
  const pairedApp = await serve(db.uri, 'appio', 4154, { ...env, BENCH_MEMORY_FILE: memoryFile('appio-paired') });
  const bare = await serve(db.uri, 'bareio', 4152, { BENCH_MEMORY_FILE: memoryFile('bareio') });
  const newPeople = () => Array.from({ length: count + 200 }, () => new mongoose.Types.ObjectId().toHexString());
  const people = newPeople();
  const tokenOf = (list: string[]) => (i: number) => ({ token: tokens.sign({ sub: list[i]!, role: 'user', sid: `bench-${i}` }) });
  const now = new Date();
  const friendship = (a: string, b: string) => {
    const memberIds = [new mongoose.Types.ObjectId(a), new mongoose.Types.ObjectId(b)];
    const [senderId, receiverId] = memberIds;
    return {
      pairKey: pairKeyOf(a, b),
      memberIds,
      senderId,
      receiverId,
      status: 'accepted',
      connectedAt: now,
      createdAt: now,
      updatedAt: now,
    };
  };
  // People with one friend each who never connects: the arrival finds nobody online to hear.
  const withOfflineFriend = newPeople();
  // People paired as friends, both in the same burst (as after a restart): the later of a pair
  // to be announced finds the other online (four presence reads, a friend told). Pairs are
  // made among the measured people, and among the warm-up ones.
  const paired = newPeople();
  const pairsOf = (list: string[]) => list.flatMap((id, i) => (i % 2 === 0 && list[i + 1] ? [friendship(id, list[i + 1]!)] : []));
  await mongoose.connect(db.uri);
  await Connection.collection.insertMany([
    ...withOfflineFriend.map((id) => friendship(id, new mongoose.Types.ObjectId().toHexString())),
    ...pairsOf(paired.slice(0, count)),
    ...pairsOf(paired.slice(count)),
  ]);

  console.log(`\nSockets (${count} idle, Node ${process.version})\n`);
  console.log(tableHeader);
  const bareKiB = await perSocket(bare, 'bareio', () => undefined);
  const ourKiB = await perSocket(app, 'appio', tokenOf(people));
  // Each burst's 15,000 going offline (a read and a write each, after the grace period) would
  // load the database during the next.
  stopServer(app);
  const offlineFriendKiB = await perSocket(offlineFriendApp, 'appio-offline-friend', tokenOf(withOfflineFriend));
  stopServer(offlineFriendApp);
  let told = 0;
  const countTold = (s: Socket) => s.on('presence:changed', (p: { online: boolean }) => void (p.online && told++));
  const pairedKiB = await perSocket(pairedApp, 'appio-paired', tokenOf(paired), countTold);
  report(
    `S6 idle authenticated socket / bare Socket.IO socket, RSS per socket (${count})`,
    ourKiB.rss,
    bareKiB.rss,
    'KiB',
    '<= 1.2',
  );
  report(
    `S6 idle authenticated socket / bare Socket.IO socket, V8 heap per socket (${count})`,
    ourKiB.heap,
    bareKiB.heap,
    'KiB',
    '',
  );
  report(
    `S6 the same, each person with one friend, offline, RSS per socket (${count})`,
    offlineFriendKiB.rss,
    bareKiB.rss,
    'KiB',
    'context',
  );
  report(
    `S6 the same, people paired as friends online together (${told} told of their friend), RSS per socket (${count})`,
    pairedKiB.rss,
    bareKiB.rss,
    'KiB',
    'context',
  );
  // Where the RSS goes: V8's reserved heap, used or not (external memory grows by nothing on
  // either side: buffers are not what an idle socket holds).
  report(
    `S6 idle authenticated socket / bare Socket.IO socket, V8 heap reserved per socket (${count})`,
    ourKiB.heapTotal,
    bareKiB.heapTotal,
    'KiB',
    'context',
  );
} finally {
  stopServers();
  // The database's 15,000 friendships are of no use to another run.
  if (mongoose.connection.readyState === mongoose.ConnectionStates.connected) await mongoose.connection.dropDatabase();
  await mongoose.disconnect();
  await db.stop();
}
process.exit(0);
