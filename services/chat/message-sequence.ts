import type { RedisClient } from '../redis.service.js';

/**
 * Message numbers per conversation, handed out without a database write: in memory for
 * one process, in Redis (INCR) when several share the conversations. A counter not known
 * (first use, an evicted entry, Redis restarted) starts from the floor the caller reads
 * from the database: the highest number stored. The unique (conversation, number) index
 * is the last word: a number handed out twice (a counter started while a send was in
 * flight) fails its insert, and the sender restarts the counter and takes another.
 */
export interface SequenceStore {
  /** The next number, or null when the counter is unknown and needs a floor. */
  next(conversationId: string, floor?: number): Promise<number | null>;
  /** Forgets the counter (it restarts from the next floor). */
  reset(conversationId: string): Promise<void>;
  /** False once closed for good (its Redis connection closed). */
  open(): boolean;
}

const MAX_COUNTERS = 100_000;

export class MemorySequenceStore implements SequenceStore {
  private readonly counters = new Map<string, number>();
  async next(conversationId: string, floor?: number) {
    const known = this.counters.get(conversationId);
    if (known === undefined && floor === undefined) return null;
    const n = Math.max(known ?? 0, floor ?? 0) + 1;
    // Re-inserted, so the map's order is least recently used first.
    this.counters.delete(conversationId);
    this.counters.set(conversationId, n);
    if (this.counters.size > MAX_COUNTERS) this.counters.delete(this.counters.keys().next().value!);
    return n;
  }
  async reset(conversationId: string) {
    this.counters.delete(conversationId);
  }
  open() {
    return true;
  }
}

// With a floor, a missing counter starts there (or a known one is raised to it); without
// one, a missing counter answers -1. Idle counters lapse after ARGV[2] ms.
const NEXT = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[1] == '' then return -1 end
  redis.call('SET', KEYS[1], ARGV[1])
elseif ARGV[1] ~= '' and tonumber(redis.call('GET', KEYS[1])) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
end
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return n
`;
const IDLE_MS = 7 * 86_400_000;

export class RedisSequenceStore implements SequenceStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}
  async next(conversationId: string, floor?: number) {
    const n = Number(
      await this.redis.eval(NEXT, {
        keys: [this.prefix + conversationId],
        arguments: [floor === undefined ? '' : String(floor), String(IDLE_MS)],
      }),
    );
    return n < 0 ? null : n;
  }
  async reset(conversationId: string) {
    await this.redis.del(this.prefix + conversationId);
  }
  open() {
    return this.redis.isOpen;
  }
}

// The latest store given that is still open: an app built on a Redis connection that was
// closed since (a test's, a stopped one's) hands over to the one before it.
const stores: SequenceStore[] = [new MemorySequenceStore()];

/** The store this process's sends take numbers from (createApp picks it). */
export function useSequenceStore(s: SequenceStore): void {
  stores.push(s);
}

export function sequences(): SequenceStore {
  while (!stores.at(-1)!.open()) stores.pop();
  return stores.at(-1)!;
}
