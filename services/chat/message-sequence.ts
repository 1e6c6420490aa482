import { AppError } from '../../utils/app-error.js';
import { StoreStack, type Closable } from '../../utils/store-stack.js';
import { boundedRedis, type BoundedRedis, type RedisClient } from '../redis.service.js';

/**
 * Message numbers per conversation, handed out without a database write: in memory for
 * one process, in Redis (INCR) when several share the conversations. A counter not known
 * (first use, an evicted entry, Redis restarted) starts from the floor the caller reads
 * from the database: the highest number stored. The unique (conversation, number) index
 * is the last word: a number handed out twice (a counter started while a send was in
 * flight) fails its insert, and the sender raises the counter to what is stored and takes
 * the next. Without an answer from Redis in time, a send is refused with CHAT_UNAVAILABLE.
 */
export interface SequenceStore extends Closable {
  /** The next number, or null when the counter is unknown and needs a floor. */
  next(conversationId: string, floor?: number): Promise<number | null>;
  /**
   * Which of these conversations took a number at or after `since` (ms): chat:sync asks, so
   * a message whose last-message record was never written (a process killed first) is
   * still caught up.
   */
  numberedSince(conversationIds: string[], since: number): Promise<Set<string>>;
}

const MAX_COUNTERS = 100_000;

export class MemorySequenceStore implements SequenceStore {
  private readonly counters = new Map<string, { n: number; at: number }>();
  async next(conversationId: string, floor?: number) {
    const known = this.counters.get(conversationId)?.n;
    if (known === undefined && floor === undefined) return null;
    const n = Math.max(known ?? 0, floor ?? 0) + 1;
    // Re-inserted, so the map's order is least recently used first.
    this.counters.delete(conversationId);
    this.counters.set(conversationId, { n, at: Date.now() });
    if (this.counters.size > MAX_COUNTERS) this.counters.delete(this.counters.keys().next().value!);
    return n;
  }
  async numberedSince(conversationIds: string[], since: number) {
    return new Set(conversationIds.filter((id) => (this.counters.get(id)?.at ?? -1) >= since));
  }
  open() {
    return true;
  }
}

// With a floor, a missing counter starts there (or a known one is raised to it); without
// one, a missing counter answers -1. Idle counters lapse after ARGV[2] ms. KEYS[2] keeps
// when each conversation last took a number (ARGV[3], now), for a week.
const NEXT = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[1] == '' then return -1 end
  redis.call('SET', KEYS[1], ARGV[1])
elseif ARGV[1] ~= '' and tonumber(redis.call('GET', KEYS[1])) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
end
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[2]))
return n
`;
const IDLE_MS = 7 * 86_400_000;
const NUMBERING_WAIT_MS = 2000;

export class RedisSequenceStore implements SequenceStore {
  private readonly numberedKey: string;
  private readonly redis: BoundedRedis;
  constructor(
    client: RedisClient,
    private readonly prefix: string,
  ) {
    this.numberedKey = `${prefix}numbered`;
    this.redis = boundedRedis(client);
  }
  async next(conversationId: string, floor?: number) {
    // A send is refused in time (at once while Redis is in doubt), not left hanging.
    const keys = [this.prefix + conversationId, this.numberedKey];
    const args = [floor === undefined ? '' : String(floor), String(IDLE_MS), String(Date.now()), conversationId];
    const answer = await this.redis
      .call((client) => client.eval(NEXT, { keys, arguments: args }), { waitMs: NUMBERING_WAIT_MS })
      .catch(() => {
        throw new AppError('CHAT_UNAVAILABLE', 'Messages cannot be numbered right now: send again shortly');
      });
    const n = Number(answer);
    return n < 0 ? null : n;
  }
  async numberedSince(conversationIds: string[], since: number) {
    if (!conversationIds.length) return new Set<string>();
    // Catch-up goes on without it (the recorded last messages still say most) when Redis is slow.
    const scores = await this.redis
      .call((client) => client.zmScore(this.numberedKey, conversationIds), { waitMs: NUMBERING_WAIT_MS })
      .catch(() => []);
    return new Set(conversationIds.filter((_, i) => (scores[i] ?? -1) >= since));
  }
  open() {
    return this.redis.client.isOpen;
  }
}

const stores = new StoreStack<SequenceStore>(new MemorySequenceStore());

/** The store this process's sends take numbers from (createApp picks it). */
export function useSequenceStore(s: SequenceStore): void {
  stores.use(s);
}

export function sequences(): SequenceStore {
  return stores.current();
}
