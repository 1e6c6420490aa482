import { boundedRedis, isRedisOutage, RedisRefusedError, type RedisClient } from '../redis.service.js';
import { AVOID, CLAIM_PAIRS, FORGIVE, PUT, PUT_BACK, PUT_BACK_CLAIMED, REMOVE, TAKE_CARDS, WITHDRAW } from './queue-scripts.js';
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
  /** False for someone who hides their age (absent on tickets stored before: shown). */
  showAge?: boolean;
  /** The adaptive matcher's model, taken at join; `weight` is the adaptive part's share (0: explicit ranking). */
  taste?: { model: TasteModel; features: string[]; weight: number };
  /**
   * While out of the queue: the claim that took it, so it goes back only through that claim
   * (putBackClaimed). Not stored in the queue; kept on the match's tickets.
   */
  claimId?: string;
}

/** Per proposed pair: claimed (both removed), taken (one already gone) or avoided (cool-down or block). */
export type ClaimResult = 'claimed' | 'taken' | 'avoided';

/**
 * The waiting tickets of every process: one per user (a second device joining replaces
 * it), claimed in pairs atomically so nobody is matched twice, and the pairs that must
 * not meet for a while (a rejection's cool-down, a block made while waiting).
 *
 * Every method may throw QueueUnavailableError (the Redis store: refused at once, or no
 * answer in time); its `maybeSent` says whether the step may still run later. A claim marks
 * each user it takes with its id (a fresh one per call) for CLAIM_MARK_MS, a later claim's
 * mark replacing it; putBackClaimed refuses a ticket whose user bears another claim's mark.
 */
export interface QueueStore {
  /** A join: the user's one ticket, whatever they left before. */
  put(ticket: Ticket): Promise<void>;
  /**
   * A ticket taken out for a while (claimed into a match that did not happen, or whose partner
   * went) going back, unless its user left the queue (remove) or joined again since its join.
   */
  putBack(ticket: Ticket): Promise<boolean>;
  /**
   * A ticket a claim took (or, its answer lost, may have taken), going back as putBack would,
   * unless another claim has taken the user since (another process's, or a later round's).
   */
  putBackClaimed(ticket: Ticket, claimId: string): Promise<boolean>;
  remove(userId: string): Promise<boolean>;
  /**
   * A join told it failed: takes out this ticket if it is still the user's (not a newer one),
   * and, if that join is the user's latest, marks them left (a claim that took it meanwhile
   * cannot put it back).
   */
  withdraw(ticket: Ticket): Promise<void>;
  all(mode: MatchMode): Promise<Ticket[]>;
  /** How many are waiting in a mode (cheap: no tickets read). */
  size(mode: MatchMode): Promise<number>;
  /**
   * Claims every pair whose two tickets are still waiting and which is not avoided, in one
   * step; each user claimed is marked with `claimId` for a while (putBackClaimed).
   */
  claimPairs(mode: MatchMode, pairs: [string, string][], now: number, claimId: string): Promise<ClaimResult[]>;
  /** The cards of claimed tickets, handed over once (and forgotten by the store). */
  takeCards(userIds: string[]): Promise<Map<string, UserCard>>;
  /**
   * a and b are not paired again before `until` (ms since the epoch): a later time already
   * held stands, unless `replace` (then exactly until then, or not at all if it has passed).
   */
  avoid(a: string, b: string, until: number, options?: { replace?: boolean }): Promise<void>;
  forgive(a: string, b: string): Promise<void>;
}

const MODES: MatchMode[] = ['chat', 'video'];
// How long a user's seat (their latest join, or "left") is kept: longer than a ticket is ever
// out of the queue and back (claimed, its match stored, then answered: MATCH_RESPONSE_MS is at
// most 5 minutes). A later join or leave sets it again.
const SEAT_MS = 15 * 60_000;
/** How long a claim's mark stays on a user: longer than a claimed ticket is ever out before it goes back. */
export const CLAIM_MARK_MS = SEAT_MS;
const LEFT = 'left';

/** Values kept for one lifetime, in the order they lapse (each set anew goes to the back): seats, claim marks. */
class ExpiringMap {
  private readonly entries = new Map<string, { value: string; until: number }>();
  constructor(private readonly lifetimeMs: number) {}
  set(key: string, value: string) {
    const now = Date.now();
    this.entries.delete(key);
    this.entries.set(key, { value, until: now + this.lifetimeMs });
    for (const [k, { until }] of this.entries) {
      if (until > now) break;
      this.entries.delete(k);
    }
  }
  get(key: string): string | undefined {
    const held = this.entries.get(key);
    return held && held.until > Date.now() ? held.value : undefined;
  }
  delete(key: string) {
    this.entries.delete(key);
  }
}

export class MemoryQueueStore implements QueueStore {
  private readonly tickets: Record<MatchMode, Map<string, Ticket>> = { chat: new Map(), video: new Map() };
  private readonly avoided = new Map<string, Map<string, number>>();
  private readonly cards = new Map<string, UserCard>();
  /** Each user's seat, as the Redis store's: the joinedAt of their latest join, or LEFT. */
  private readonly seats = new ExpiringMap(SEAT_MS);
  /** Each claimed user's claim id, as the Redis store's claim marks. */
  private readonly claims = new ExpiringMap(CLAIM_MARK_MS);
  private place({ card, claimId: _claimId, ...ticket }: Ticket) {
    for (const mode of MODES) this.tickets[mode].delete(ticket.userId);
    this.tickets[ticket.mode].set(ticket.userId, ticket);
    if (card) this.cards.set(ticket.userId, card);
  }
  async put(ticket: Ticket) {
    this.seats.set(ticket.userId, String(ticket.joinedAt));
    this.place(ticket);
  }
  async putBack(ticket: Ticket) {
    const seat = this.seats.get(ticket.userId);
    if (seat !== undefined && seat !== String(ticket.joinedAt)) return false;
    if (MODES.some((mode) => this.tickets[mode].has(ticket.userId))) return false;
    this.place(ticket);
    return true;
  }
  async putBackClaimed(ticket: Ticket, claimId: string) {
    const mark = this.claims.get(ticket.userId);
    if (mark !== undefined && mark !== claimId) return false;
    this.claims.delete(ticket.userId);
    return this.putBack(ticket);
  }
  async remove(userId: string) {
    this.seats.set(userId, LEFT);
    return this.drop(userId);
  }
  private drop(userId: string) {
    this.cards.delete(userId);
    return MODES.map((mode) => this.tickets[mode].delete(userId)).some(Boolean);
  }
  async withdraw({ card: _card, claimId: _claimId, ...ticket }: Ticket) {
    if (this.seats.get(ticket.userId) === String(ticket.joinedAt)) this.seats.set(ticket.userId, LEFT);
    const held = this.tickets[ticket.mode].get(ticket.userId);
    if (held && JSON.stringify(held) === JSON.stringify(ticket)) this.drop(ticket.userId);
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
  async claimPairs(mode: MatchMode, pairs: [string, string][], now: number, claimId: string) {
    const waiting = this.tickets[mode];
    return pairs.map(([a, b]): ClaimResult => {
      if (a === b || !waiting.has(a) || !waiting.has(b)) return 'taken';
      if ((this.avoided.get(a)?.get(b) ?? 0) > now) return 'avoided';
      waiting.delete(a);
      waiting.delete(b);
      this.claims.set(a, claimId);
      this.claims.set(b, claimId);
      return 'claimed';
    });
  }
  async avoid(a: string, b: string, until: number, { replace = false } = {}) {
    // In one step: no claim may run between the old time's end and the new one.
    if (replace) this.dropAvoided(a, b);
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
    this.dropAvoided(a, b);
  }
  private dropAvoided(a: string, b: string) {
    this.avoided.get(a)?.delete(b);
    this.avoided.get(b)?.delete(a);
  }
}

const CLAIM_RESULTS: Record<string, ClaimResult> = { '1': 'claimed', '0': 'taken', '-1': 'avoided' };

/** The queue's Redis is away or in doubt (refused at once, nothing sent) or did not answer in time. */
export class QueueUnavailableError extends Error {
  /** Whether the command may have reached Redis (and may still run): not when refused at once. */
  readonly maybeSent: boolean;
  constructor(cause?: unknown) {
    super(
      cause ? `match queue unavailable: ${cause instanceof Error ? cause.message : String(cause)}` : 'match queue unavailable',
    );
    this.maybeSent = cause !== undefined;
  }
}

/** One hash of tickets per mode in Redis, shared by every process; one sorted set of avoided partners per user. */
export class RedisQueueStore implements QueueStore {
  private readonly redis;

  constructor(
    client: RedisClient,
    private readonly prefix = 'mq:',
  ) {
    this.redis = boundedRedis(client);
  }
  private key(mode: MatchMode) {
    return `${this.prefix}tickets:${mode}`;
  }
  private avoidKey(userId: string) {
    return `${this.prefix}avoid:${userId}`;
  }
  /** The tickets of each mode, the cards, the user's seat. */
  private ticketKeys(userId: string) {
    return [...MODES.map((mode) => this.key(mode)), `${this.prefix}cards`, `${this.prefix}seat:${userId}`];
  }

  /**
   * One command, gated and bounded (boundedRedis: nothing waits long on a Redis in doubt).
   * One given up on may still run later, in order with what follows it on the connection:
   * the matchmaker puts back what a lost claim or taking of cards may have taken.
   */
  private async run<T>(command: (client: RedisClient) => Promise<T>): Promise<T> {
    try {
      return await this.redis.call(command);
    } catch (err) {
      if (err instanceof RedisRefusedError) throw new QueueUnavailableError();
      // Redis answered (a script's error) or our own argument was bad: not the queue being away.
      if (!isRedisOutage(err)) throw err;
      throw new QueueUnavailableError(err);
    }
  }
  private script(script: string, keys: string[], args: string[]): Promise<unknown> {
    return this.run((client) => client.eval(script, { keys, arguments: args }));
  }

  /** A ticket as PUT and WITHDRAW take it: its user, which tickets hash holds it, the ticket (without its card). */
  private ticketArgs({ card: _card, claimId: _claimId, ...ticket }: Ticket): string[] {
    return [ticket.userId, String(MODES.indexOf(ticket.mode) + 1), JSON.stringify(ticket)];
  }
  private claimKey(userId: string) {
    return `${this.prefix}claim:${userId}`;
  }
  private withCard(ticket: Ticket): string[] {
    return [...this.ticketArgs(ticket), ticket.card ? JSON.stringify(ticket.card) : '', String(ticket.joinedAt), String(SEAT_MS)];
  }
  async put(ticket: Ticket) {
    await this.script(PUT, this.ticketKeys(ticket.userId), this.withCard(ticket));
  }
  async putBack(ticket: Ticket) {
    return Number(await this.script(PUT_BACK, this.ticketKeys(ticket.userId), this.withCard(ticket))) === 1;
  }
  async putBackClaimed(ticket: Ticket, claimId: string) {
    const keys = [...this.ticketKeys(ticket.userId), this.claimKey(ticket.userId)];
    return Number(await this.script(PUT_BACK_CLAIMED, keys, [...this.withCard(ticket), claimId])) === 1;
  }
  async withdraw(ticket: Ticket) {
    const args = [...this.ticketArgs(ticket), String(ticket.joinedAt), String(SEAT_MS)];
    await this.script(WITHDRAW, this.ticketKeys(ticket.userId), args);
  }
  async remove(userId: string) {
    return Number(await this.script(REMOVE, this.ticketKeys(userId), [userId, String(SEAT_MS)])) > 0;
  }
  async takeCards(userIds: string[]) {
    const taken = new Map<string, UserCard>();
    if (!userIds.length) return taken;
    const raw = (await this.script(TAKE_CARDS, [`${this.prefix}cards`], userIds)) as (string | null)[];
    raw.forEach((r, i) => r && taken.set(userIds[i]!, JSON.parse(String(r)) as UserCard));
    return taken;
  }
  async all(mode: MatchMode) {
    const raw = await this.run((client) => client.hVals(this.key(mode)));
    return raw.map((t) => JSON.parse(String(t)) as Ticket);
  }
  async size(mode: MatchMode) {
    return this.run((client) => client.hLen(this.key(mode)));
  }
  async claimPairs(mode: MatchMode, pairs: [string, string][], now: number, claimId: string) {
    if (!pairs.length) return [];
    const args = [`${this.prefix}avoid:`, String(now), `${this.prefix}claim:`, claimId, String(CLAIM_MARK_MS), ...pairs.flat()];
    const results = (await this.script(CLAIM_PAIRS, [this.key(mode)], args)) as number[];
    return results.map((r) => CLAIM_RESULTS[String(r)]!);
  }
  async avoid(a: string, b: string, until: number, { replace = false } = {}) {
    const now = Date.now();
    if (until <= now) return replace ? this.forgive(a, b) : undefined;
    const args = [a, b, String(until), String(until - now), String(now), replace ? 'replace' : 'later'];
    await this.script(AVOID, [this.avoidKey(a), this.avoidKey(b)], args);
  }
  async forgive(a: string, b: string) {
    await this.script(FORGIVE, [this.avoidKey(a), this.avoidKey(b)], [a, b]);
  }
}
