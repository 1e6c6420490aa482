import type { RedisClient } from '../redis.service.js';
import type { UserCard } from '../people/profile.service.js';
import type { TasteModel } from './taste/model.js';

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
  /** What they like (ranks partners) and what they asked for when joining (filters, until relaxed). */
  interests: string[];
  wantedInterests: string[];
  location?: { lat: number; lng: number };
  country?: string;
  /** Blocked either way at join time; later blocks reach the queue as avoided pairs. */
  hidden: string[];
  /**
   * The public card the partner is shown, taken at join so a match needs no user read.
   * Kept beside the queue, not in it: rounds read every ticket, only a match needs cards.
   */
  card?: UserCard;
  showDistance: boolean;
  /** The adaptive matcher's model, taken at join; `weight` is the adaptive part's share (0: explicit ranking). */
  taste?: { model: TasteModel; features: string[]; weight: number };
}

/** Per proposed pair: claimed (both removed), taken (one already gone) or avoided (cool-down or block). */
export type ClaimResult = 'claimed' | 'taken' | 'avoided';

/**
 * The waiting tickets of every process: one per user (a second device joining replaces
 * it), claimed in pairs atomically so nobody is matched twice, and the pairs that must
 * not meet for a while (a rejection's cool-down, a block made while waiting).
 */
export interface QueueStore {
  put(ticket: Ticket): Promise<void>;
  remove(userId: string): Promise<boolean>;
  all(mode: MatchMode): Promise<Ticket[]>;
  /** How many are waiting in a mode (cheap: no tickets read). */
  size(mode: MatchMode): Promise<number>;
  /** Claims every pair whose two tickets are still waiting and which is not avoided, in one step. */
  claimPairs(mode: MatchMode, pairs: [string, string][], now: number): Promise<ClaimResult[]>;
  /** The cards of claimed tickets, handed over once (and forgotten by the store). */
  takeCards(userIds: string[]): Promise<Map<string, UserCard>>;
  /** a and b are not paired again before now + ms. */
  avoid(a: string, b: string, ms: number): Promise<void>;
  forgive(a: string, b: string): Promise<void>;
}

const MODES: MatchMode[] = ['chat', 'video'];

export class MemoryQueueStore implements QueueStore {
  private readonly tickets: Record<MatchMode, Map<string, Ticket>> = { chat: new Map(), video: new Map() };
  private readonly avoided = new Map<string, Map<string, number>>();
  private readonly cards = new Map<string, UserCard>();

  async put({ card, ...ticket }: Ticket) {
    for (const mode of MODES) this.tickets[mode].delete(ticket.userId);
    this.tickets[ticket.mode].set(ticket.userId, ticket);
    if (card) this.cards.set(ticket.userId, card);
  }
  async remove(userId: string) {
    this.cards.delete(userId);
    return MODES.map((mode) => this.tickets[mode].delete(userId)).some(Boolean);
  }
  async takeCards(userIds: string[]) {
    const taken = new Map<string, UserCard>();
    for (const id of userIds) {
      const card = this.cards.get(id);
      if (card) taken.set(id, card);
      this.cards.delete(id);
    }
    return taken;
  }
  async all(mode: MatchMode) {
    return [...this.tickets[mode].values()];
  }
  async size(mode: MatchMode) {
    return this.tickets[mode].size;
  }
  async claimPairs(mode: MatchMode, pairs: [string, string][], now: number) {
    const waiting = this.tickets[mode];
    return pairs.map(([a, b]): ClaimResult => {
      if (a === b || !waiting.has(a) || !waiting.has(b)) return 'taken';
      if ((this.avoided.get(a)?.get(b) ?? 0) > now) return 'avoided';
      waiting.delete(a);
      waiting.delete(b);
      return 'claimed';
    });
  }
  async avoid(a: string, b: string, ms: number) {
    const until = Date.now() + ms;
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const mine = this.avoided.get(x) ?? new Map<string, number>();
      for (const [other, t] of mine) if (t <= Date.now()) mine.delete(other);
      mine.set(y, Math.max(until, mine.get(y) ?? 0));
      this.avoided.set(x, mine);
    }
  }
  async forgive(a: string, b: string) {
    this.avoided.get(a)?.delete(b);
    this.avoided.get(b)?.delete(a);
  }
}

// Each pair: both tickets or neither, unless the pair is avoided; one step no other
// process can interleave with. The avoid sets are named from ARGV (one Redis, no cluster).
const CLAIM_PAIRS = `
local now = tonumber(ARGV[2])
local out = {}
for i = 3, #ARGV, 2 do
  local a, b = ARGV[i], ARGV[i + 1]
  local result = 0
  if a ~= b and redis.call('HEXISTS', KEYS[1], a) == 1 and redis.call('HEXISTS', KEYS[1], b) == 1 then
    local untilMs = redis.call('ZSCORE', ARGV[1] .. a, b)
    if untilMs and tonumber(untilMs) > now then
      result = -1
    else
      redis.call('HDEL', KEYS[1], a, b)
      result = 1
    end
  end
  out[#out + 1] = result
end
return out`;

const CLAIM_RESULTS: Record<string, ClaimResult> = { '1': 'claimed', '0': 'taken', '-1': 'avoided' };

/** One hash of tickets per mode in Redis, shared by every process; one sorted set of avoided partners per user. */
export class RedisQueueStore implements QueueStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix = 'mq:',
  ) {}
  private key(mode: MatchMode) {
    return `${this.prefix}tickets:${mode}`;
  }
  private avoidKey(userId: string) {
    return `${this.prefix}avoid:${userId}`;
  }
  private get cardsKey() {
    return `${this.prefix}cards`;
  }
  async put({ card, ...ticket }: Ticket) {
    const multi = this.redis.multi();
    for (const mode of MODES) multi.hDel(this.key(mode), ticket.userId);
    if (card) multi.hSet(this.cardsKey, ticket.userId, JSON.stringify(card));
    multi.hSet(this.key(ticket.mode), ticket.userId, JSON.stringify(ticket));
    await multi.exec();
  }
  async remove(userId: string) {
    const multi = this.redis.multi();
    for (const mode of MODES) multi.hDel(this.key(mode), userId);
    multi.hDel(this.cardsKey, userId);
    const removed = await multi.exec();
    return removed.slice(0, MODES.length).some((n) => Number(n) > 0);
  }
  async takeCards(userIds: string[]) {
    if (!userIds.length) return new Map<string, UserCard>();
    const [raw] = (await this.redis.multi().hmGet(this.cardsKey, userIds).hDel(this.cardsKey, userIds).exec()) as unknown as [
      (string | null)[],
      number,
    ];
    const taken = new Map<string, UserCard>();
    raw.forEach((r, i) => r && taken.set(userIds[i]!, JSON.parse(String(r)) as UserCard));
    return taken;
  }
  async all(mode: MatchMode) {
    const raw = await this.redis.hVals(this.key(mode));
    return raw.map((t) => JSON.parse(String(t)) as Ticket);
  }
  async size(mode: MatchMode) {
    return this.redis.hLen(this.key(mode));
  }
  async claimPairs(mode: MatchMode, pairs: [string, string][], now: number) {
    if (!pairs.length) return [];
    const results = (await this.redis.eval(CLAIM_PAIRS, {
      keys: [this.key(mode)],
      arguments: [`${this.prefix}avoid:`, String(now), ...pairs.flat()],
    })) as number[];
    return results.map((r) => CLAIM_RESULTS[String(r)]!);
  }
  async avoid(a: string, b: string, ms: number) {
    const until = Date.now() + ms;
    const multi = this.redis.multi();
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      multi.zRemRangeByScore(this.avoidKey(x), '-inf', Date.now());
      multi.zAdd(this.avoidKey(x), { score: until, value: y }, { comparison: 'GT' });
      multi.pExpire(this.avoidKey(x), ms, 'GT');
      multi.pExpire(this.avoidKey(x), ms, 'NX');
    }
    await multi.exec();
  }
  async forgive(a: string, b: string) {
    await Promise.all([this.redis.zRem(this.avoidKey(a), b), this.redis.zRem(this.avoidKey(b), a)]);
  }
}
