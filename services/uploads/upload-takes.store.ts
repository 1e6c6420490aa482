import { StoreStack, type Closable } from '../../utils/store-stack.js';
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
 * Keeping a take: `kept`; a take of the same upload already kept (nginx asked again), left as
 * it was: `again`; another take under the same id (not nginx's), left as it was: `clash`.
 */
export type Kept = 'kept' | 'again' | 'clash';

/**
 * What each admitted upload took, by nginx's id for the upload and its sender, for a while
 * (TAKE_KEPT_MS): one nginx then refuses unread is given it back once, whichever process
 * nginx asks (a restart or a reload between the check and the refusal included, with Redis).
 */
export interface UploadTakeStore extends Closable {
  /** Keeps a take made, unless one is kept under its id already. */
  keep(requestId: string, take: UploadTake): Promise<Kept>;
  /** The take kept for `requestId` by `me`, left where it is. */
  find(requestId: string, me: string): Promise<UploadTake | undefined>;
  /** The take of `requestId` by `me`, once: a later claim, in any process, finds nothing. */
  claim(requestId: string, me: string): Promise<UploadTake | undefined>;
  /** The upload was read: its take is never given back. */
  forget(requestId: string, me: string): Promise<void>;
}

// A take matters for moments (nginx refuses an upload at once or reads it); ten minutes covers a slow one.
const TAKE_KEPT_MS = 10 * 60_000;
// Bounded in memory whatever the traffic: past the cap, the oldest go.
const TAKES_KEPT = 10_000;
const keyOf = (requestId: string, me: string) => `${requestId}:${me}`;
/** Two takes for one upload (nginx asking again, on either side of midnight too). */
export const sameUpload = (a: UploadTake, b: UploadTake) => a.counter === b.counter && a.length === b.length;
const keptOver = (before: UploadTake | undefined, take: UploadTake): Kept =>
  !before ? 'kept' : sameUpload(before, take) ? 'again' : 'clash';

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
  async find(requestId: string, me: string) {
    const kept = this.takes.get(keyOf(requestId, me));
    if (!kept || Date.now() - kept.at > TAKE_KEPT_MS) return undefined;
    const { at: _at, ...take } = kept;
    return take;
  }
  async claim(requestId: string, me: string) {
    const key = keyOf(requestId, me);
    const take = await this.find(requestId, me);
    this.takes.delete(key);
    return take;
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
// SET NX with GET needs Redis 7; this serves from 6.2 (GETDEL's), as the rest of the app does.
const KEEP_UNLESS_KEPT = `
local before = redis.call('GET', KEYS[1])
if before then return before end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
`;

/**
 * Takes in Redis (kept with an expiry, claimed by GETDEL), so every process sees them; while Redis fails
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
      const before = await this.redis.call(
        (c) => c.eval(KEEP_UNLESS_KEPT, { keys: [key], arguments: [JSON.stringify(take), String(TAKE_KEPT_MS)] }),
        { waitMs: TAKE_WAIT_MS },
      );
      return keptOver(typeof before === 'string' ? (JSON.parse(before) as UploadTake) : undefined, take);
    } catch (err) {
      sayFallback('keep', () => logger.warn('upload takes kept in this process', { error: errorMessage(err) }));
      return this.own.keep(requestId, take);
    }
  }
  async find(requestId: string, me: string) {
    const kept = await this.redis
      .call((c) => c.get(this.prefix + keyOf(requestId, me)), { waitMs: TAKE_WAIT_MS })
      .catch(() => null);
    return kept ? (JSON.parse(kept) as UploadTake) : this.own.find(requestId, me);
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
