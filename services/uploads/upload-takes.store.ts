import { StoreStack } from '../../utils/store-stack.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { perKeyThrottle } from '../../utils/per-key-throttle.js';
import { boundedRedis, type BoundedRedis, type RedisClient } from '../redis.service.js';

/** What an admitted upload took from its sender's day of reading (the daily counter `<counter>:<me>`, of `day`). */
export interface UploadTake {
  counter: string;
  me: string;
  day: string;
  length: number;
}

/**
 * What each admitted upload took, by nginx's id for the upload and its sender, for a while
 * (TAKE_KEPT_MS): one nginx then refuses unread is given it back once, whichever process
 * nginx asks (a restart or a reload between the check and the refusal included, with Redis).
 */
/**
 * Keeping a take: `kept`; a take of the same upload already kept (nginx asked again), left as
 * it was: `again`; another take under the same id (not nginx's), left as it was: `clash`.
 */
export type Kept = 'kept' | 'again' | 'clash';

export interface UploadTakeStore {
  /** Keeps a take made, unless one is kept under its id already. */
  keep(requestId: string, take: UploadTake): Promise<Kept>;
  /** The take of `requestId` by `me`, once: a later claim, in any process, finds nothing. */
  claim(requestId: string, me: string): Promise<UploadTake | undefined>;
  forget(requestId: string, me: string): Promise<void>;
  /** False once closed for good (its Redis connection closed). */
  open(): boolean;
}

// A take matters for moments (nginx refuses an upload at once or reads it); ten minutes covers a slow one.
export const TAKE_KEPT_MS = 10 * 60_000;
// Bounded in memory whatever the traffic: past the cap, the oldest go.
const TAKES_KEPT = 10_000;
const keyOf = (requestId: string, me: string) => `${requestId}:${me}`;
const sameTake = (a: UploadTake, b: UploadTake) => a.counter === b.counter && a.day === b.day && a.length === b.length;
const keptOver = (before: UploadTake | undefined, take: UploadTake): Kept =>
  !before ? 'kept' : sameTake(before, take) ? 'again' : 'clash';

export class MemoryUploadTakeStore implements UploadTakeStore {
  private readonly takes = new Map<string, UploadTake & { at: number }>();
  async keep(requestId: string, take: UploadTake) {
    const key = keyOf(requestId, take.me);
    const before = this.takes.get(key);
    if (before && Date.now() - before.at <= TAKE_KEPT_MS) return keptOver(before, take);
    if (this.takes.size >= TAKES_KEPT) this.takes.delete(this.takes.keys().next().value!);
    this.takes.set(key, { ...take, at: Date.now() });
    return 'kept' as const;
  }
  async claim(requestId: string, me: string) {
    const key = keyOf(requestId, me);
    const take = this.takes.get(key);
    this.takes.delete(key);
    if (!take || Date.now() - take.at > TAKE_KEPT_MS) return undefined;
    const { at: _at, ...kept } = take;
    return kept;
  }
  async forget(requestId: string, me: string) {
    this.takes.delete(keyOf(requestId, me));
  }
  open() {
    return true;
  }
}

// One line a minute while Redis fails, not one per upload.
const sayFallback = perKeyThrottle(60_000);
const TAKE_WAIT_MS = 1000;

/**
 * Takes in Redis (SET with an expiry, GETDEL), so every process sees them; while Redis fails
 * they are kept in this process's memory, where only the process that took can give back.
 */
export class RedisUploadTakeStore implements UploadTakeStore {
  private readonly redis: BoundedRedis;
  private readonly own = new MemoryUploadTakeStore();
  constructor(
    client: RedisClient,
    private readonly prefix: string,
  ) {
    this.redis = boundedRedis(client);
  }
  async keep(requestId: string, take: UploadTake) {
    const key = this.prefix + keyOf(requestId, take.me);
    try {
      // Set unless set, answering what was there (null: it is set now).
      const before = await this.redis.call((c) => c.set(key, JSON.stringify(take), { PX: TAKE_KEPT_MS, NX: true, GET: true }), {
        waitMs: TAKE_WAIT_MS,
      });
      return keptOver(before === null ? undefined : (JSON.parse(before) as UploadTake), take);
    } catch (err) {
      sayFallback('keep', () => logger.warn('upload takes kept in this process', { error: errorMessage(err) }));
      return this.own.keep(requestId, take);
    }
  }
  async claim(requestId: string, me: string) {
    const key = this.prefix + keyOf(requestId, me);
    const kept = await this.redis.call((c) => c.getDel(key), { waitMs: TAKE_WAIT_MS }).catch(() => null);
    // Both places let go of it: a keep given up on in Redis may have landed there after all.
    const own = await this.own.claim(requestId, me);
    return kept ? (JSON.parse(kept) as UploadTake) : own;
  }
  async forget(requestId: string, me: string) {
    await this.own.forget(requestId, me);
    // Not waited on: a take forgotten late is one nobody asks for (nginx read the upload).
    void this.redis.call((c) => c.del(this.prefix + keyOf(requestId, me)), { waitMs: TAKE_WAIT_MS }).catch(() => undefined);
  }
  open() {
    return this.redis.client.isOpen;
  }
}

const stores = new StoreStack<UploadTakeStore>(new MemoryUploadTakeStore());

/** Where this process keeps upload takes (createApp picks it). */
export function useUploadTakeStore(s: UploadTakeStore): void {
  stores.use(s);
}

export function uploadTakes(): UploadTakeStore {
  return stores.current();
}
