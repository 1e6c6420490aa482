import type { RedisClient } from '../redis.service.js';

export type MatchMode = 'chat' | 'video';

/** What the matcher needs about someone waiting: their fit, taken when they joined. */
export interface Ticket {
  userId: string;
  mode: MatchMode;
  joinedAt: number;
  /** Partners waiting for a second chance go ahead of newcomers. */
  priority: number;
  gender: string;
  age: number;
  preference: string;
  lookingFor: { genders: string[]; minAge: number; maxAge: number; maxDistanceKm: number };
  interests: string[];
  location?: { lat: number; lng: number };
  country?: string;
  /** Blocked either way at join time (re-checked before a match is made). */
  hidden: string[];
}

/**
 * The waiting tickets of every process: one per user (a second device joining replaces
 * it), claimed two at a time atomically so nobody is matched twice.
 */
export interface QueueStore {
  put(ticket: Ticket): Promise<void>;
  remove(userId: string): Promise<boolean>;
  all(mode: MatchMode): Promise<Ticket[]>;
  /** How many are waiting in a mode (cheap: no tickets read). */
  size(mode: MatchMode): Promise<number>;
  /** Removes both tickets if both are still waiting; false (and nothing removed) otherwise. */
  claim(mode: MatchMode, a: string, b: string): Promise<boolean>;
  coolDown(pairKey: string, ms: number): Promise<void>;
  isCooling(pairKey: string): Promise<boolean>;
}

const MODES: MatchMode[] = ['chat', 'video'];

export class MemoryQueueStore implements QueueStore {
  private readonly tickets: Record<MatchMode, Map<string, Ticket>> = { chat: new Map(), video: new Map() };
  private readonly cooling = new Map<string, number>();

  async put(ticket: Ticket) {
    for (const mode of MODES) this.tickets[mode].delete(ticket.userId);
    this.tickets[ticket.mode].set(ticket.userId, ticket);
  }
  async remove(userId: string) {
    return MODES.map((mode) => this.tickets[mode].delete(userId)).some(Boolean);
  }
  async all(mode: MatchMode) {
    return [...this.tickets[mode].values()];
  }
  async size(mode: MatchMode) {
    return this.tickets[mode].size;
  }
  async claim(mode: MatchMode, a: string, b: string) {
    const waiting = this.tickets[mode];
    if (a === b || !waiting.has(a) || !waiting.has(b)) return false;
    waiting.delete(a);
    waiting.delete(b);
    return true;
  }
  async coolDown(pairKey: string, ms: number) {
    this.cooling.set(pairKey, Date.now() + ms);
  }
  async isCooling(pairKey: string) {
    const until = this.cooling.get(pairKey);
    if (until && until < Date.now()) this.cooling.delete(pairKey);
    return Boolean(until && until >= Date.now());
  }
}

// Both tickets or neither, in one step no other process can interleave with.
const CLAIM = `
if ARGV[1] ~= ARGV[2] and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 and redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then
  redis.call('HDEL', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0`;

/** One hash of tickets per mode in Redis, shared by every process. */
export class RedisQueueStore implements QueueStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix = 'mq:',
  ) {}
  private key(mode: MatchMode) {
    return `${this.prefix}tickets:${mode}`;
  }
  async put(ticket: Ticket) {
    await this.remove(ticket.userId);
    await this.redis.hSet(this.key(ticket.mode), ticket.userId, JSON.stringify(ticket));
  }
  async remove(userId: string) {
    const removed = await Promise.all(MODES.map((mode) => this.redis.hDel(this.key(mode), userId)));
    return removed.some((n) => Number(n) > 0);
  }
  async all(mode: MatchMode) {
    const raw = await this.redis.hVals(this.key(mode));
    return raw.map((t) => JSON.parse(String(t)) as Ticket);
  }
  async size(mode: MatchMode) {
    return this.redis.hLen(this.key(mode));
  }
  async claim(mode: MatchMode, a: string, b: string) {
    return Number(await this.redis.eval(CLAIM, { keys: [this.key(mode)], arguments: [a, b] })) === 1;
  }
  async coolDown(pairKey: string, ms: number) {
    await this.redis.set(`${this.prefix}cool:${pairKey}`, '1', { PX: ms });
  }
  async isCooling(pairKey: string) {
    return (await this.redis.exists(`${this.prefix}cool:${pairKey}`)) === 1;
  }
}
