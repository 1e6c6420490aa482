import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { JobLock } from '../models/job-lock.model.js';
import { isDuplicateKey } from '../utils/duplicate-key.js';

const me = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/**
 * Runs `job` only if this process takes the named lease (free or expired): one process
 * at a time runs a scheduled job across the deployment; a crashed holder's lease lapses.
 */
export async function withJobLock(
  name: string,
  leaseMs: number,
  job: () => Promise<void>,
  { renew = false }: { renew?: boolean } = {},
): Promise<boolean> {
  const now = new Date();
  try {
    const res = await JobLock.updateOne(
      { _id: name, until: { $lte: now } },
      { $set: { owner: me, until: new Date(now.getTime() + leaseMs) } },
      { upsert: true },
    );
    if (res.modifiedCount + res.upsertedCount === 0) return false;
  } catch (err) {
    // Held by another process: the upsert's insert met the existing lock.
    if (isDuplicateKey(err)) return false;
    throw err;
  }
  // A job that may outlast its lease (a migration) keeps it while this process works on it.
  const renewal = renew
    ? setInterval(
        () =>
          void JobLock.updateOne({ _id: name, owner: me }, { $set: { until: new Date(Date.now() + leaseMs) } }).catch(
            () => undefined,
          ),
        leaseMs / 3,
      )
    : undefined;
  try {
    await job();
  } finally {
    clearInterval(renewal);
    await JobLock.updateOne({ _id: name, owner: me }, { $set: { until: new Date(0) } });
  }
  return true;
}
