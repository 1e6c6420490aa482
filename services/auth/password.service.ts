import bcrypt from 'bcrypt';
import { config } from '../../config/index.js';
import { passwordLengthOk } from '../../utils/password-length.js';
import { Semaphore } from '../../utils/semaphore.js';

// bcrypt runs on libuv's thread pool (4 threads); unbounded, a burst of logins takes every
// core and every other request waits behind it. Capping it keeps a core for the event loop.
const hashing = new Semaphore(config.auth.bcryptConcurrency);

export const hashPassword = (password: string): Promise<string> =>
  hashing.run(() => bcrypt.hash(password, config.auth.bcryptCost));

// A real hash at the configured cost: checking an unknown account costs the same as a known one.
let dummyHash: Promise<string> | undefined;

/**
 * Compares in constant work whether or not there is a hash to compare with,
 * and never accepts a password outside the allowed length.
 */
export async function verifyPassword(password: string, hash: string | undefined | null): Promise<boolean> {
  dummyHash ??= bcrypt.hash('not-a-real-password', config.auth.bcryptCost);
  const target = hash ?? (await dummyHash);
  const matches = await hashing.run(() => bcrypt.compare(password, target));
  return matches && Boolean(hash) && passwordLengthOk(password);
}
