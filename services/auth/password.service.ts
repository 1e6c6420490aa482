import bcrypt from 'bcrypt';
import { config } from '../../config/index.js';
import { passwordLengthOk } from '../../utils/password-length.js';
import { type Lane, Semaphore, SemaphoreFullError } from '../../utils/semaphore.js';
import { AppError } from '../../utils/app-error.js';

// bcrypt runs on libuv's thread pool (4 threads); unbounded, a burst of logins takes every
// core and every other request waits behind it. Capping it keeps a core for the event loop.
// The wait is bounded too, by time (the checks' cost and the machine set how many that is:
// about 32 per slot at cost 12 here): a sign-in that would wait longer is refused at once,
// well under the proxy's 60 s timeout. Unbounded, a flood of sign-ins (a correct password is
// never counted against a budget) queued everyone's for minutes, and the work of requests
// long given up on still ran.
const MAX_WAIT_MS = 8_000;
// Until the first check is timed: bcrypt's work doubles with each step of cost, about 250 ms
// at 12 on this kind of host.
const ESTIMATE_MS = 2 ** config.auth.bcryptCost / 16;
export const passwordChecks = new Semaphore(config.auth.bcryptConcurrency, { maxWaitMs: MAX_WAIT_MS, estimateMs: ESTIMATE_MS });

export const passwordChecksBusy = () =>
  new AppError('PASSWORD_CHECKS_BUSY', 'Too many password checks at once: try again shortly');

/** A password hashed or checked in the line; refused at once (503) when the line (its lane) is full. */
async function inLine<T>(task: () => Promise<T>, lane: Lane = 'shared'): Promise<T> {
  try {
    return await passwordChecks.run(task, lane);
  } catch (err) {
    if (err instanceof SemaphoreFullError) throw passwordChecksBusy();
    throw err;
  }
}

export const hashPassword = (password: string): Promise<string> => inLine(() => bcrypt.hash(password, config.auth.bcryptCost));

// Real hashes by cost, the configured one first: checking an unknown account costs the same as a known one.
const dummyHashes = new Map<number, Promise<string>>();
const dummyHash = (cost: number) => {
  let hash = dummyHashes.get(cost);
  if (!hash) dummyHashes.set(cost, (hash = bcrypt.hash('not-a-real-password', cost)));
  return hash;
};

/** A hash's cost, or null for one bcrypt cannot read. */
const costOf = (hash: string): number | null => {
  try {
    return bcrypt.getRounds(hash);
  } catch {
    return null;
  }
};

/**
 * The work a comparison at `cost` leaves short of one at the configured cost, done against
 * dummy hashes of each cost between (2^c + 2^c + 2^(c+1) + ... = 2^C): an account hashed before
 * BCRYPT_COST was raised answers in the time an unknown one does until its owner signs in.
 */
async function padToConfiguredCost(password: string, cost: number): Promise<void> {
  for (let c = cost; c < config.auth.bcryptCost; c++) await bcrypt.compare(password, await dummyHash(c));
}

/**
 * Accounts with a sign-in in the kept lane (per process, as the line is). A sign-in from a
 * device that signed in to the account before (`knownDeviceOf`: the account's id) is checked
 * there, so a flood of sign-ins from everywhere does not keep the owner out; one per account
 * at a time, so a flood of sign-ins to the flooder's own account cannot take the lane.
 */
const keptLaneHolders = new Set<string>();

/**
 * Compares in constant work whether or not there is a hash to compare with,
 * and never accepts a password outside the allowed length; a known device's in the kept lane.
 */
export async function verifyPassword(
  password: string,
  hash: string | undefined | null,
  knownDeviceOf?: string,
): Promise<boolean> {
  const target = hash ?? (await dummyHash(config.auth.bcryptCost));
  const cost = costOf(target) ?? config.auth.bcryptCost;
  const kept = knownDeviceOf !== undefined && !keptLaneHolders.has(knownDeviceOf);
  if (kept) keptLaneHolders.add(knownDeviceOf);
  try {
    const compared = async () => {
      const matches = await bcrypt.compare(password, target);
      await padToConfiguredCost(password, cost);
      return matches;
    };
    const matches = await inLine(compared, kept ? 'kept' : 'shared');
    return matches && Boolean(hash) && passwordLengthOk(password);
  } finally {
    if (kept) keptLaneHolders.delete(knownDeviceOf);
  }
}

/**
 * Whether a hash was made at a lower cost than the configured one (made again when its password
 * is proved). Never a higher one: a process started with a lower BCRYPT_COST by mistake must
 * not weaken every hash it sees.
 */
export const hashCostBelow = (hash: string): boolean => (costOf(hash) ?? Infinity) < config.auth.bcryptCost;

/** Whether a sign-in that may take the kept lane would find room there (for a caller that must know before it spends anything). */
export const keptLaneWouldRefuse = () => passwordChecks.wouldRefuse('kept');
