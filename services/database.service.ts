import { mkdir } from 'node:fs/promises';
import mongoose, { type mongo } from 'mongoose';
import { logger } from '../utils/logger.js';
import { databasePings } from '../utils/metrics.js';

// Unknown filter keys are dropped instead of reaching the server.
mongoose.set('strictQuery', true);

/**
 * How often the driver checks the server: a database back from an outage is seen within this
 * while requireDatabase refuses every request (nothing else makes the driver look).
 */
const HEARTBEAT_MS = 2000;
const CONNECT_TIMEOUT_MS = 5000;

// Whether the driver has a server to write to, as its own topology events say: a failed
// heartbeat or a network error is an outage at once. (Mongoose's readyState also reads a
// connection as gone once no heartbeat was seen for two intervals, which a stalled event
// loop, a long GC pause or a loaded CPU, causes without any outage: requests answered 503.)
let writable = false;
const watched = new WeakSet<object>();

function canWrite(d: mongo.TopologyDescription): boolean {
  if (d.type === 'ReplicaSetWithPrimary') return true;
  return (d.type === 'Single' || d.type === 'Sharded' || d.type === 'LoadBalanced') && d.hasKnownServers;
}

function watchTopology(client: mongo.MongoClient): void {
  writable = true; // connect resolved: a server was selected
  if (watched.has(client)) return;
  watched.add(client);
  client.on('topologyDescriptionChanged', (ev) => {
    writable = canWrite(ev.newDescription);
  });
  client.on('topologyClosed', () => {
    writable = false;
  });
}

export interface DatabaseOptions {
  uri: string;
  serverSelectionTimeoutMs: number;
}

/**
 * Connects the default Mongoose connection. Commands are not buffered: while the
 * database is away, requests fail at once with 503 instead of queueing for seconds,
 * and the driver reconnects by itself when it returns.
 */
export async function connectDatabase({ uri, serverSelectionTimeoutMs }: DatabaseOptions): Promise<void> {
  const conn = mongoose.connection;
  conn.on('disconnected', () => logger.warn('database disconnected'));
  conn.on('reconnected', () => logger.info('database reconnected'));
  conn.on('error', (err: Error) => logger.error('database error', { error: err.message }));
  await mongoose.connect(uri, {
    bufferCommands: false,
    autoIndex: false,
    serverSelectionTimeoutMS: serverSelectionTimeoutMs,
    heartbeatFrequencyMS: HEARTBEAT_MS,
    // Also the heartbeat's own timeout: a server gone silent (dropped packets, a frozen node:
    // no connection closed) is known within this plus a heartbeat, not the default 30 s.
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    maxPoolSize: 50,
  });
  watchTopology(conn.getClient());
  await syncIndexes();
  logger.info('database connected', { host: conn.host, name: conn.name });
}

/** Builds every model's declared indexes (createIndex is idempotent). */
export async function syncIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.models)) await model.createIndexes();
}

/** Drops an index a schema no longer declares (a migration); absent already is fine. True when dropped. */
export async function dropIndexIfPresent(collection: string, name: string): Promise<boolean> {
  const indexes = mongoose.connection.collection(collection);
  if (!(await indexes.indexExists(name).catch(() => false))) return false;
  await indexes.dropIndex(name);
  return true;
}

/**
 * The connection state as Mongoose numbers it (1 connected, 0 disconnected, 2 connecting,
 * 3 disconnecting), with "connected" meaning what requireDatabase lets through (`writable`).
 */
export const databaseState = (): number => {
  if (isDatabaseConnected()) return 1;
  const state = mongoose.connection.readyState;
  return state === 1 ? 0 : state;
};

/** Whether the database can be written to now (see `writable`). */
export const isDatabaseConnected = (): boolean => writable && mongoose.connection.db !== undefined;

/**
 * The one document `filter` finds, by a single-batch find command: the command findOne sends,
 * without the cursor the driver builds, runs and closes around it (that cursor is about a third
 * of a read's CPU here: 392 -> 268 µs in one process against FerretDB). For reads by a unique
 * key on the hottest paths (GET /me); before the first connection, findOne's own error.
 */
export async function findOneByCommand<T extends mongo.Document>(
  collection: string,
  filter: mongo.Document,
  projection: mongo.Document,
): Promise<T | null> {
  const db = mongoose.connection.db;
  if (!db) return (await mongoose.connection.collection(collection).findOne(filter, { projection })) as T | null;
  const reply = await db.command({ find: collection, filter, projection, limit: 1, singleBatch: true, batchSize: 1 });
  return ((reply as { cursor: { firstBatch: T[] } }).cursor.firstBatch[0] ?? null) as T | null;
}

/** Pings the server, giving up after `timeoutMs` so readiness never hangs. */
export async function pingDatabase(timeoutMs = 1000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db || !isDatabaseConnected()) return false;
  databasePings.inc();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      db
        .admin()
        .ping()
        .then(() => true),
      timeout,
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}

/**
 * Local default: an embedded mongod whose data lives in `dir` across restarts.
 * Imported lazily so production never loads mongodb-memory-server.
 */
export async function startEmbeddedMongo(dir: string): Promise<{ uri: string; stop: () => Promise<void> }> {
  await mkdir(dir, { recursive: true });
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const server = await MongoMemoryServer.create({ instance: { dbPath: dir, storageEngine: 'wiredTiger' } });
  logger.warn('MONGODB_URI is not set: using an embedded MongoDB', { dir });
  return {
    uri: server.getUri('devtinder'),
    stop: async () => {
      await server.stop({ doCleanup: false });
    },
  };
}
