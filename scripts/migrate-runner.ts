import mongoose from 'mongoose';
import { MongoDBStorage, Umzug } from 'umzug';
import { withJobLock } from '../services/job-lock.js';
import { logger } from '../utils/logger.js';

export interface Migration {
  name: string;
  /** Returns how many records it changed, for the log. */
  up: () => Promise<number>;
}

// Renewed while the run lasts; a crashed runner's lease lapses within this.
const LEASE_MS = 5 * 60_000;

/**
 * Runs the migrations not yet applied to this database, in order (umzug, with its
 * MongoDB storage in the `migrations` collection). One deploy at a time: a second runner
 * waits for the lease of the first (renewed while it runs), then finds nothing left to do.
 * Returns the names applied.
 */
export async function runMigrations(list: Migration[], waitMs = 10 * 60_000): Promise<string[]> {
  const umzug = new Umzug({
    migrations: list.map((m) => ({
      name: m.name,
      up: async () => {
        const changed = await m.up();
        logger.info('migration applied', { migration: m.name, changed });
      },
    })),
    storage: new MongoDBStorage({ collection: mongoose.connection.db!.collection('migrations') }),
    logger: undefined,
  });
  const until = Date.now() + waitMs;
  let applied: string[] | undefined;
  while (!applied) {
    const ran = await withJobLock(
      'migrations',
      LEASE_MS,
      async () => {
        applied = (await umzug.up()).map((m) => m.name);
      },
      { renew: true },
    );
    if (ran) break;
    if (Date.now() > until) throw new Error('another process has held the migrations lease for too long');
    await new Promise((r) => setTimeout(r, 1000));
  }
  return applied ?? [];
}

/** Names applied to this database and names still pending. */
export async function migrationStatus(list: Migration[]): Promise<{ applied: string[]; pending: string[] }> {
  const done = new Set(
    (await mongoose.connection.db!.collection('migrations').find({}).toArray()).map((d) => String(d.migrationName)),
  );
  return {
    applied: list.filter((m) => done.has(m.name)).map((m) => m.name),
    pending: list.filter((m) => !done.has(m.name)).map((m) => m.name),
  };
}
