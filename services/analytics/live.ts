import type { RedisClient } from '../redis.service.js';

/** What is counted for the admins' live view, per ten-second slot. */
export type LiveCounter = 'message';

const SLOT_MS = 10_000;
const WINDOW_SLOTS = 6;
const slotOf = (at: number) => Math.floor(at / SLOT_MS);

/**
 * Rates over the last minute, shared by every process: ten-second slots in Redis (INCR and a
 * short expiry: one round trip per event, no document write), or in memory for one process.
 */
export interface LiveCounterStore {
  add(counter: LiveCounter, at: number): Promise<void>;
  /** How many in the last minute (the current slot and the five before it). */
  lastMinute(counter: LiveCounter, now: number): Promise<number>;
}

export class MemoryLiveCounters implements LiveCounterStore {
  private readonly slots = new Map<string, number>();
  async add(counter: LiveCounter, at: number) {
    const key = `${counter}:${slotOf(at)}`;
    this.slots.set(key, (this.slots.get(key) ?? 0) + 1);
    // Slots older than the window are never read again.
    const stale = `${counter}:${slotOf(at) - WINDOW_SLOTS}`;
    this.slots.delete(stale);
    if (this.slots.size > 1000) this.slots.clear();
  }
  async lastMinute(counter: LiveCounter, now: number) {
    let sum = 0;
    for (let s = slotOf(now) - WINDOW_SLOTS + 1; s <= slotOf(now); s++) sum += this.slots.get(`${counter}:${s}`) ?? 0;
    return sum;
  }
}

export class RedisLiveCounters implements LiveCounterStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}
  private key(counter: LiveCounter, slot: number) {
    return `${this.prefix}${counter}:${slot}`;
  }
  async add(counter: LiveCounter, at: number) {
    const key = this.key(counter, slotOf(at));
    await this.redis
      .multi()
      .incr(key)
      .pExpire(key, SLOT_MS * (WINDOW_SLOTS + 1))
      .exec();
  }
  async lastMinute(counter: LiveCounter, now: number) {
    const keys = Array.from({ length: WINDOW_SLOTS }, (_, i) => this.key(counter, slotOf(now) - i));
    return (await this.redis.mGet(keys)).reduce((sum, v) => sum + Number(v ?? 0), 0);
  }
}

let store: LiveCounterStore | undefined;
/** Set where the process is assembled (parts.ts). */
export const useLiveCounters = (s: LiveCounterStore) => void (store = s);

/** Counts one event for the live view; a failure only loses the count. */
export function countLive(counter: LiveCounter, at = Date.now()): void {
  store?.add(counter, at).catch(() => undefined);
}

export const liveLastMinute = (counter: LiveCounter, now = Date.now()) => store?.lastMinute(counter, now) ?? Promise.resolve(0);
