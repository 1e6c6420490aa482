import { tasteTicket } from './taste/taste.service.js';
import { noteTaste } from './taste/signals.js';
import { isInGoodStanding } from '../people/standing.js';
import { countLater, recordEvent } from '../analytics/record.js';
import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { pairKeyOf } from '../../models/connection.model.js';
import { Match } from '../../models/match.model.js';
import { User } from '../../models/user.model.js';
import { ageOn, MAX_AGE, MIN_AGE } from '../../utils/age.js';
import { AppError, forbidden, notFound } from '../../utils/app-error.js';
import { coarsePoint } from '../../utils/geo.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { hiddenUserIds } from '../people/block.service.js';
import {
  alreadyInCall,
  assertFreeForACall,
  endCallsOf,
  firstInACall,
  giveSeatsBackUnlessConnected,
  relayConfigured,
  startMatchCall,
  takeSeats,
} from './call.service.js';
import { onDomainEvent } from '../events.js';
import { matchConversation } from '../chat/conversation.service.js';
import { showsDistance, toUserCard } from '../people/profile.service.js';
import { publishToUsers } from '../realtime.service.js';
import { CARD_SOURCE_FIELDS, usersById, type CardSource } from '../people/user.service.js';
import { separatedBy, separatedPairs } from './match.service.js';
import { cardFor, compatible, MATCH_GENDERS, RELAX_STEPS, score } from './matching.js';
import { perKeyThrottle } from '../../utils/per-key-throttle.js';
import { PairRules, SEPARATED_MS } from './pair-rules.js';
import { QueueUnavailableError, type MatchMode, type QueueStore, type Ticket } from './queue.store.js';
import { notifyLater } from '../notifications/notification.service.js';
import { QueueKeeper, type Liveness } from './queue-keeper.js';

/** What a ticket carries of its owner's profile: read at the join, and again when it is old. */
function profileFieldsOf(user: CardSource) {
  return {
    card: toUserCard(user),
    showAge: user.settings?.privacy?.showAge !== false,
    showDistance: showsDistance(user),
    ...(user.location ? { location: coarsePoint(user.location) } : {}),
  };
}

export interface JoinInput {
  mode: MatchMode;
  country?: string;
  interests?: string[];
  preference?: string;
}

/** The profile fields a ticket is made of, besides the card. */
interface MatchingFields {
  gender: string;
  preference: string;
  lookingFor?: { genders?: string[]; minAge?: number; maxAge?: number; maxDistanceKm?: number };
  availableForMatching?: boolean;
  bannedAt?: Date | null;
  suspendedUntil?: Date | null;
}

// Per gender bucket, how many waiting people a ticket considers in one look: in practice
// all of them (a bounded look would let old tickets nobody fits clog the front for newcomers).
const LOOK_AT_MOST = 2000;

// The compatible candidates a ticket ranks, the longest waiting first: enough to choose well, few enough to stay fast.
const RANK_AT_MOST = 24;
// Matches stored and announced per write, so the first pairs of a big round hear at once.
const FOUND_BATCH = 250;
// How long a process skips a pair the store refused (other processes learn by their own claims).
const AVOID_MEMORY_MS = 10_000;
// A look cut short by LOOK_AT_MOST goes on in the next round; every look is redone this
// often anyway (cool-downs and avoided pairs lapse with time, not with arrivals).
const RELOOK_TRUNCATED_MS = 250;
const RELOOK_MS = 10_000;
const ROUND_GAP_MS = 40;
const lookKey = (t: Ticket) => `${t.userId}:${t.joinedAt}:${t.priority}`;

/**
 * The matchmaker of one process. Every process runs rounds over the shared queue; the
 * atomic claim of two tickets means a user is never matched twice. Nobody without a live
 * socket waits in the queue or is offered: every write that puts someone in the queue or
 * in a match is followed by a look at presence, which a closing socket leaves before its
 * owner's tickets are taken out, so whichever comes second catches the other.
 */
export class Matchmaker {
  private timer?: NodeJS.Timeout;
  private unsubscribe: (() => void)[] = [];
  private running = false;
  private again = false;
  private lastRoundAt = 0;
  private prunedAt = 0;
  private scheduled?: NodeJS.Timeout;
  private readonly responseTimers = new Map<string, NodeJS.Timeout>();
  /** Pairs the store refused as avoided, so this process stops proposing them for a while. */
  private readonly avoidedHere = new Map<string, number>();
  private readonly unannounced: [Ticket, Ticket][] = [];
  private writing = false;
  /** When each waiting ticket last looked for a partner, and whether that look was cut short. */
  private readonly lookedAt = new Map<string, { at: number; truncated: boolean }>();
  private readonly pairRules: PairRules;
  /** How many waited in each mode at this process's last round. */
  private readonly waitingSeen: Record<MatchMode, number> = { chat: 0, video: 0 };
  /** The queue failed a round lately: said once, not every round until it is back. */
  private queueAway = false;

  /** The queue through lost answers: what is owed back, failed joins withdrawn, presence asked. */
  private readonly queue: QueueKeeper;

  constructor(
    readonly store: QueueStore,
    liveness: Liveness,
  ) {
    this.pairRules = new PairRules(store);
    this.queue = new QueueKeeper(store, liveness);
  }

  /** Runs rounds, and hears blocks, reports, unblocks and ended accounts (domain events) while running. */
  start(): void {
    this.timer = setInterval(() => void this.round(), config.match.roundMs);
    this.timer.unref();
    this.unsubscribe = [
      onDomainEvent('pair.separated', ({ a, b }) => this.separate(a, b)),
      onDomainEvent('pair.reunited', ({ a, b }) => this.forgive(a, b)),
      // Barred or signed out everywhere: calls, ticket and pending match end now, not after the reconnect grace.
      onDomainEvent('sessions.ended', ({ userId }) => Promise.all([endCallsOf(userId), this.userGone(userId)])),
    ];
  }

  stop(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
    clearInterval(this.timer);
    clearTimeout(this.scheduled);
    this.timer = undefined;
    for (const t of this.responseTimers.values()) clearTimeout(t);
    this.responseTimers.clear();
  }

  async join(userId: string, input: JoinInput): Promise<{ position: number }> {
    // A stranger's call goes through a relay, or it would hand each the other's address.
    if (input.mode === 'video' && !relayConfigured())
      throw new AppError('VIDEO_MATCH_UNAVAILABLE', 'Video matching needs a TURN relay, which this server has not');
    if (input.mode === 'video') await assertFreeForACall(userId);
    await this.endLapsedMatches(userId);
    const ticket = await this.ticketFor(userId, input);
    // This join is their word now: an older ticket owed back must not return beside (or instead of) it.
    this.queue.forget(userId);
    let position: number;
    // Whether the ticket may be in the queue: not when its write was refused at once.
    let written = true;
    try {
      await this.store.put(ticket).catch((err: unknown) => {
        if (err instanceof QueueUnavailableError && !err.maybeSent) written = false;
        throw err;
      });
      if (!(await this.queue.keepIfLive(ticket))) throw new AppError('SOCKET_REQUIRED', 'Join the queue from a connected socket');
      // An estimate: everyone waiting in the mode now (the newest ticket is last in line). The
      // ticket is in: a count the queue refuses (Redis in doubt just then) fails no join; the
      // last round's count stands in.
      position = await this.store.size(input.mode).catch((err: unknown) => {
        if (!(err instanceof QueueUnavailableError)) throw err;
        return this.waitingSeen[input.mode] + 1;
      });
    } catch (err) {
      if (err instanceof AppError) throw err;
      // Once in a while, not once per join: every client retries while Redis is away.
      sayJoinFailure('join', () => logger.warn('joining the match queue failed', { userId, error: errorMessage(err) }));
      // Told it failed, so nothing of it may wait in the queue: the ticket if it was written
      // after all (a stalled Redis runs what it was sent; a reset connection fails commands
      // Redis may have run), not a newer one of the user's. Per user, the latest such join
      // (its ticket is written after the earlier ones').
      if (written) this.queue.withdrawLater(userId, ticket);
      throw queueUnavailable();
    }
    publishToUsers([userId], 'match:searching', { mode: input.mode });
    this.requestRound();
    return { position };
  }

  /**
   * A pending match whose answer time is up ends as expired when its member asks to join
   * again: its timer lived in a process that stopped (a deploy reloads one at a time), and
   * the hourly clean-up is too late for someone MATCH_PENDING would keep out of the queue.
   */
  private async endLapsedMatches(userId: string): Promise<void> {
    const lapsed = await Match.find(
      { userIds: new Types.ObjectId(userId), status: 'pending', expiresAt: { $lte: new Date() } },
      { _id: 1 },
    ).lean();
    for (const m of lapsed) await this.end(String(m._id), 'expired');
  }

  /** The user's ticket for a mode, from their profile and what they asked for (not yet queued). */
  async ticketFor(userId: string, input: JoinInput): Promise<Ticket> {
    const [user, pending, hidden] = await Promise.all([
      User.findById(
        userId,
        `${CARD_SOURCE_FIELDS} gender preference lookingFor availableForMatching bannedAt suspendedUntil country taste`,
      ).lean<CardSource & MatchingFields>(),
      Match.exists({ userIds: new Types.ObjectId(userId), status: 'pending' }),
      hiddenUserIds(userId),
    ]);
    if (!user || !isInGoodStanding(user)) throw notFound('User');
    if (!user.availableForMatching) throw forbidden('Turn on "available for matching" first', 'NOT_AVAILABLE');
    if (pending) throw new AppError('MATCH_PENDING', 'Answer your current match first');
    const interests = user.interests ?? [];
    return {
      userId,
      mode: input.mode,
      joinedAt: Date.now(),
      priority: 0,
      gender: user.gender,
      age: ageOn(user.dateOfBirth),
      preference: input.preference ?? user.preference,
      lookingFor: {
        genders: user.lookingFor?.genders ?? [],
        minAge: user.lookingFor?.minAge ?? MIN_AGE,
        maxAge: user.lookingFor?.maxAge ?? MAX_AGE,
        maxDistanceKm: user.lookingFor?.maxDistanceKm ?? 100,
      },
      interests: [...new Set([...(input.interests ?? []), ...interests])],
      wantedInterests: input.interests ?? [],
      ...profileFieldsOf(user),
      ...(input.country ? { country: input.country } : {}),
      hidden: hidden.map(String),
      taste: tasteTicket(userId, user),
    };
  }

  /**
   * A block (or a report) by `a` of `b`: a match waiting for them ends as a's no would (b
   * hears "rejected" and goes back to the queue: anything else would tell b of the block or
   * the report), and the queue keeps them apart.
   */
  async separate(a: string, b: string): Promise<void> {
    await this.pairRules.separate(a, b);
    const pending = await Match.find({ userIds: new Types.ObjectId(a), status: 'pending' }, { userIds: 1 }).lean();
    for (const m of pending.filter((x) => x.userIds.map(String).includes(b))) await this.endAsNo(String(m._id), a);
  }

  /** Ends a match as `by` saying no; one whose offer has lapsed (a lost timer) as expired. */
  private async endAsNo(matchId: string, by: string): Promise<void> {
    if (!(await this.end(matchId, 'rejected', by))) await this.end(matchId, 'expired');
  }

  /** The two may be paired again (an unblock): in the shared queue and in this process's memory. */
  async forgive(a: string, b: string): Promise<void> {
    await this.pairRules.reunite(a, b);
    // After the queue has it: a round whose claim was refused before it landed would otherwise
    // keep the pair skipped here for AVOID_MEMORY_MS.
    this.avoidedHere.delete(pairKeyOf(a, b));
    // Both look again at once (they may be waiting, each having found nobody).
    for (const key of this.lookedAt.keys()) if (key.startsWith(`${a}:`) || key.startsWith(`${b}:`)) this.lookedAt.delete(key);
  }

  async leave(userId: string): Promise<boolean> {
    this.queue.forget(userId);
    let left: boolean;
    try {
      left = await this.store.remove(userId);
    } catch (err) {
      if (!(err instanceof QueueUnavailableError)) throw err;
      throw queueUnavailable();
    }
    // Their other devices still show the search (match:searching told them all of the join).
    if (left) publishToUsers([userId], 'match:left', { reason: 'left' });
    return left;
  }

  /**
   * One pass per mode: pairs proposed in memory and claimed in one step; storing and
   * announcing them goes on behind, so the next round (at once, while pairs keep coming)
   * plans while the database writes.
   */
  async round(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      await this.queue.settleOwed();
      for (const mode of ['chat', 'video'] as const) {
        const now = Date.now();
        const tickets = await this.store.all(mode);
        this.waitingSeen[mode] = tickets.length;
        const pairs = this.plan(tickets, now);
        if (!pairs.length) continue;
        const results = await this.queue.claim(mode, pairs, now);
        const claimed = pairs.filter((_, i) => results[i] === 'claimed');
        pairs.forEach(([a, b], i) => {
          if (results[i] === 'claimed') return;
          // Both look again next round, without this pair if the store keeps them apart.
          for (const t of [a, b]) this.lookedAt.delete(lookKey(t));
          if (results[i] === 'avoided') this.avoidedHere.set(pairKeyOf(a.userId, b.userId), now + AVOID_MEMORY_MS);
        });
        this.announce(claimed);
      }
      if (this.queueAway) logger.info('matching rounds run again');
      this.queueAway = false;
    } catch (err) {
      if (!(err instanceof QueueUnavailableError)) logger.error('matching round failed', { error: errorMessage(err) });
      else if (!this.queueAway) logger.warn('matching rounds wait for the queue', { error: errorMessage(err) });
      this.queueAway ||= err instanceof QueueUnavailableError;
    } finally {
      this.running = false;
      this.lastRoundAt = Date.now();
    }
    if (this.again) {
      this.again = false;
      this.requestRound();
    }
  }

  /**
   * A round soon, for a join: at most one every ROUND_GAP_MS, so a stream of joins makes
   * a round every few milliseconds with all of them, not one round per join.
   */
  private requestRound(): void {
    if (this.scheduled) return;
    const wait = Math.max(0, this.lastRoundAt + ROUND_GAP_MS - Date.now());
    this.scheduled = setTimeout(() => {
      this.scheduled = undefined;
      void this.round();
    }, wait);
    this.scheduled.unref();
  }

  /**
   * Claimed pairs wait here to be stored and told; one writer takes them in batches, so a
   * burst makes few big writes and a trickle never queues one write per pair.
   */
  private announce(pairs: [Ticket, Ticket][]): void {
    this.unannounced.push(...pairs);
    if (this.writing) return;
    this.writing = true;
    void (async () => {
      while (this.unannounced.length) {
        await this.found(this.unannounced.splice(0, FOUND_BATCH)).catch((err: unknown) => {
          logger.error('storing matches failed', { error: errorMessage(err) });
        });
      }
      this.writing = false;
    })();
  }

  /**
   * The pairs to propose: the longest waiting (and returning partners) first, each with its
   * best compatible partner not yet taken this round. Pure, so a round costs one read of
   * the queue and one claim, however many pairs it makes.
   */
  protected plan(tickets: Ticket[], now: number): [Ticket, Ticket][] {
    for (const [key, until] of this.avoidedHere) if (until <= now) this.avoidedHere.delete(key);
    // Forget the looks of tickets gone from the queue, now and then (not every round: it is O(queue)).
    if (now - this.prunedAt >= RELOOK_MS) {
      this.prunedAt = now;
      const waiting = new Set(tickets.map(lookKey));
      for (const key of this.lookedAt.keys()) if (!waiting.has(key)) this.lookedAt.delete(key);
    }
    const taken = new Set<string>();
    const pairs: [Ticket, Ticket][] = [];
    tickets.sort((x, y) => y.priority - x.priority || x.joinedAt - y.joinedAt);
    // Buckets by preference and gender, in waiting order: a ticket only looks where a
    // partner could be, and at a bounded number of them, so a round stays near-linear.
    const buckets = new Map<string, { list: Ticket[]; head: number }>();
    for (const t of tickets) {
      const key = `${t.preference}|${t.gender}`;
      const bucket = buckets.get(key);
      if (bucket) bucket.list.push(t);
      else buckets.set(key, { list: [t], head: 0 });
    }
    for (const a of tickets) {
      if (taken.has(a.userId) || !this.dueToLook(a, now)) continue;
      let truncated = false;
      let best: Ticket | undefined;
      let bestScore = -Infinity;
      let ranked = 0;
      for (const gender of a.lookingFor.genders.length ? a.lookingFor.genders : MATCH_GENDERS) {
        const bucket = buckets.get(`${a.preference}|${gender}`);
        if (!bucket) continue;
        // Pairs are mostly taken in waiting order: skip the taken front once, not on every look.
        while (bucket.head < bucket.list.length && taken.has(bucket.list[bucket.head]!.userId)) bucket.head++;
        let looked = 0;
        for (let i = bucket.head; i < bucket.list.length && looked < LOOK_AT_MOST && ranked < RANK_AT_MOST; i++) {
          const b = bucket.list[i]!;
          if (taken.has(b.userId) || b.userId === a.userId) continue;
          looked++;
          if (!compatible(a, b, now) || this.avoidedHere.has(pairKeyOf(a.userId, b.userId))) continue;
          ranked++;
          const s = score(a, b, now);
          if (s > bestScore) [best, bestScore] = [b, s];
        }
        if (looked >= LOOK_AT_MOST) truncated = true;
      }
      this.lookedAt.set(lookKey(a), { at: now, truncated });
      if (!best) continue;
      taken.add(a.userId).add(best.userId);
      pairs.push([a, best]);
    }
    return pairs;
  }

  /**
   * Whether a ticket looks for a partner this round: when new, when its filters relax,
   * when its last look was cut short, and every RELOOK_MS. A newcomer compares itself with
   * everyone waiting, so in between a waiting ticket has nothing new to find, and a round
   * costs about what the arrivals since the last one cost, not what the whole queue does.
   */
  private dueToLook(t: Ticket, now: number): boolean {
    const last = this.lookedAt.get(lookKey(t));
    if (!last || now - last.at >= RELOOK_MS || (last.truncated && now - last.at >= RELOOK_TRUNCATED_MS)) return true;
    return RELAX_STEPS.some((step) => last.at - t.joinedAt < step && now - t.joinedAt >= step);
  }

  /** Claimed pairs: stored in one write, then both of each pair told, with a response timer. */
  protected async found(claimed: [Ticket, Ticket][]): Promise<void> {
    const pairs = await this.notSeparated(await this.asProfilesAreNow(claimed));
    if (!pairs.length) return;
    const foundAt = new Date();
    const expiresAt = new Date(foundAt.getTime() + config.match.responseMs);
    const docs = pairs.map(([a, b]) => ({
      _id: new Types.ObjectId(),
      userIds: [new Types.ObjectId(a.userId), new Types.ObjectId(b.userId)],
      mode: a.mode,
      status: 'pending',
      // Without the learned model: a match record outlives resets and account deletion.
      tickets: [a, b].map(({ taste: _taste, ...ticket }) => ticket),
      foundAt,
      expiresAt,
    }));
    try {
      // lean: written as built (ObjectIds above), without a document per match.
      await Match.insertMany(docs, { lean: true });
    } catch (err) {
      // Not matched: both go back where they were in the queue. An insert can fail with some
      // (or all) of its matches stored (the connection lost after the write): those end
      // unseen, or a pending match nobody was told of would refuse its people's next join
      // until the clean-up job expired it. (If that fails too, the job does.)
      await Match.updateMany(
        { _id: { $in: docs.map((d) => d._id) }, status: 'pending' },
        { $set: { status: 'disconnected', endedAt: new Date() } },
      ).catch((cleanup: unknown) => logger.warn('unannounced matches left pending', { error: errorMessage(cleanup) }));
      await Promise.all(pairs.flat().map((t) => this.queue.putBack(t)));
      throw err;
    }
    // Someone whose last socket closed while the pair was being made is not offered: the
    // match ends unseen and the other goes back to the front of the queue.
    const live = await Promise.all(
      pairs.map(([a, b]) => Promise.all([this.queue.isLive(a.userId), this.queue.isLive(b.userId)])),
    );
    docs.forEach((doc, i) => {
      const [a, b] = pairs[i]!;
      const [aLive, bLive] = live[i]!;
      if (!aLive || !bLive) return void this.dropUnseen(doc._id, [aLive ? a : undefined, bLive ? b : undefined]);
      const matchId = String(doc._id);
      publishToUsers([a.userId], 'match:found', { matchId, mode: a.mode, expiresAt, partner: cardFor(a, b) });
      publishToUsers([b.userId], 'match:found', { matchId, mode: a.mode, expiresAt, partner: cardFor(b, a) });
      for (const t of [a, b]) notifyLater({ userId: t.userId, type: 'match_found', target: { kind: 'match', id: matchId } });
      const timer = setTimeout(() => {
        this.responseTimers.delete(matchId);
        void this.end(matchId, 'expired').catch(() => undefined);
      }, config.match.responseMs);
      timer.unref();
      this.responseTimers.set(matchId, timer);
    });
  }

  /**
   * Each side as the other will see them: for whoever waited longer than cardMaxAgeMs, the
   * card, the age and distance switches and the location from the profile as it is now, not as
   * it was at the join (a photo removed, a name changed, the age or distance hidden, the
   * location withdrawn since); the others', from their join moments ago, stand (a read per
   * person would halve a burst's matches a second). A pair that no longer fits on what was read
   * (an age hidden since must not be placed in a narrowed range) goes back to the queue, both;
   * someone banned or suspended since is not offered, their partner goes back. If the read
   * fails, the join's cards stand in (or the bare { id }) rather than the pairs being lost.
   */
  private async asProfilesAreNow(claimed: [Ticket, Ticket][]): Promise<[Ticket, Ticket][]> {
    const tickets = claimed.flat();
    const kept = await this.queue.takeCards(tickets);
    // Kept on the tickets too: a partner put back in the queue keeps their card.
    for (const t of tickets) t.card ??= kept.get(t.userId);
    const oldest = Date.now() - config.match.cardMaxAgeMs;
    const due = tickets.filter((t) => t.joinedAt <= oldest || !t.card);
    if (!due.length) return claimed;
    const now = await usersById(due.map((t) => t.userId)).catch((err: unknown) => {
      logger.warn('match cards not read again', { error: errorMessage(err) });
      return null;
    });
    if (!now) return claimed;
    for (const t of due) {
      const user = now.get(t.userId);
      if (!user) continue;
      delete t.location;
      Object.assign(t, profileFieldsOf(user));
    }
    const gone = new Set(due.filter((t) => !now.has(t.userId)).map((t) => t.userId));
    const readAgain = new Set(due.map((t) => t.userId));
    const at = Date.now();
    return claimed.filter(([a, b]) => {
      const fits =
        ![a, b].some((t) => gone.has(t.userId)) &&
        (!(readAgain.has(a.userId) || readAgain.has(b.userId)) || compatible(a, b, at));
      if (fits) return true;
      // Not proposed to each other again here for a while (the queue may still hold the join's ticket).
      this.avoidedHere.set(pairKeyOf(a.userId, b.userId), at + AVOID_MEMORY_MS);
      for (const t of [a, b].filter((x) => !gone.has(x.userId))) {
        this.lookedAt.delete(lookKey(t));
        void this.queue.putBack(t).catch(logQueueWriteFailure);
      }
      return false;
    });
  }

  /**
   * The claimed pairs the database does not keep apart. A block or a report whose pair rule has
   * not reached the queue (Redis away when it was made) is caught here: both go back to the
   * queue, not to be proposed to each other, and the rule is asked for again.
   */
  private async notSeparated(claimed: [Ticket, Ticket][]): Promise<[Ticket, Ticket][]> {
    let apart: Map<string, number>;
    try {
      apart = await separatedPairs(
        claimed.map(([a, b]) => [a.userId, b.userId]),
        SEPARATED_MS,
      );
    } catch (err) {
      await Promise.all(claimed.flat().map((t) => this.queue.putBack(t)));
      throw err;
    }
    if (!apart.size) return claimed;
    const now = Date.now();
    return claimed.filter(([a, b]) => {
      const key = pairKeyOf(a.userId, b.userId);
      if (!apart.has(key)) return true;
      this.avoidedHere.set(key, now + AVOID_MEMORY_MS);
      void this.pairRules.keepApart(a.userId, b.userId, apart.get(key)!);
      for (const t of [a, b]) {
        this.lookedAt.delete(lookKey(t));
        void this.queue.putBack(t).catch(logQueueWriteFailure);
      }
      return false;
    });
  }

  private async dropUnseen(matchId: Types.ObjectId, stay: (Ticket | undefined)[]): Promise<void> {
    try {
      const res = await Match.updateOne(
        { _id: matchId, status: 'pending' },
        { $set: { status: 'disconnected', endedAt: new Date() } },
      );
      if (res.modifiedCount !== 1) return;
      for (const t of stay) if (t) await this.queue.putBack({ ...t, priority: t.priority + 1 });
    } catch (err) {
      logger.error('ending an unseen match failed', { error: errorMessage(err) });
    }
  }

  /** An answer: both yes connects them (a private conversation or a call); a no ends it. */
  async respond(userId: string, matchId: string, accept: boolean) {
    if (!Types.ObjectId.isValid(matchId)) throw notFound('Match');
    const me = new Types.ObjectId(userId);
    if (!accept) {
      const ended = await this.end(matchId, 'rejected', userId);
      if (!ended) return this.refuseLate(matchId, me);
      const partner = ended.userIds.map(String).find((id) => id !== userId);
      if (partner) noteTaste(userId, partner, 'match_reject');
      return { matchId, status: 'rejected' };
    }
    // A yes counts while the offer stands, as a no does: two late yeses connect nobody.
    const res = await Match.updateOne(
      { _id: matchId, userIds: me, status: 'pending', expiresAt: { $gt: new Date() } },
      { $set: { [`answers.${userId}`]: true } },
    );
    if (res.matchedCount !== 1) return (await this.acceptedAlready(matchId, userId)) ?? this.refuseLate(matchId, me);
    const match = await Match.findById(matchId).lean();
    const partner = match?.userIds.map(String).find((id) => id !== userId);
    if (partner) noteTaste(userId, partner, 'match_accept');
    const answers = match?.answers as Map<string, boolean> | Record<string, boolean> | undefined;
    const yes = (id: string) => (answers instanceof Map ? answers.get(id) : answers?.[id]) === true;
    if (!match || !match.userIds.every((id) => yes(String(id)))) return { matchId, status: 'waiting' };
    // Both said yes: whoever gets here first connects them.
    const [a, b] = match.userIds.map(String) as [string, string];
    // The database's word once more: a block or a report made after the match was offered
    // (it may have ended pending matches before this one was stored) ends it here.
    if ((await separatedPairs([[a, b]], SEPARATED_MS)).size) {
      // It ends as the no of whoever blocked or reported (the other goes back to the queue).
      await this.endAsNo(matchId, (await separatedBy(userId, partner!)) ? userId : partner!);
      throw notAnswerable();
    }
    // A video match is a call, its id the match's (two answers at once take the same seats):
    // whoever got into another since joining (a friend's ring answered, or being answered now:
    // the seats say) goes, told as a disconnect ('left' after two yeses would tell the stranger).
    const video = match.mode === 'video';
    const callId = new Types.ObjectId(matchId);
    const inACall = video ? ((await firstInACall([a, b], callId)) ?? (await takeSeats(callId, [a, b]))) : undefined;
    if (inACall) {
      await this.end(matchId, 'disconnected', inACall);
      throw inACall === userId ? alreadyInCall() : notAnswerable();
    }
    let won = false;
    try {
      won =
        (await Match.updateOne({ _id: matchId, status: 'pending' }, { $set: { status: 'accepted', answeredAt: new Date() } }))
          .modifiedCount === 1;
      if (won && video) await startMatchCall(a, b, callId);
    } catch (err) {
      if (video) await this.callNotMade(matchId, callId, won, [a, b]);
      throw err;
    }
    if (!won) {
      // The other answer connected them (its seats stay), or the match ended meanwhile (a block found above).
      const now = await Match.findById(matchId, ACCEPTED_FIELDS).lean();
      if (now?.status === 'accepted') return acceptedAnswer(matchId, now);
      if (video) await giveSeatsBackUnlessConnected(callId);
      throw notAnswerable();
    }
    countLater(() => recordEvent('match', { userId }));
    this.clearTimer(matchId);
    // A video match's call: the side recorded as its caller sends the WebRTC offer.
    let link: { conversationId: string } | { callId: string; callerId: string };
    if (match.mode === 'chat') {
      const conversation = await matchConversation(a, b);
      link = { conversationId: String(conversation._id) };
      await Match.updateOne({ _id: matchId }, { $set: { conversationId: conversation._id } });
    } else {
      link = { callId: String(callId), callerId: a };
      await Match.updateOne({ _id: matchId }, { $set: { callId } });
    }
    publishToUsers([a, b], 'match:accepted', { matchId, ...link });
    for (const [me, them] of [
      [a, b],
      [b, a],
    ] as const) {
      notifyLater({ userId: me, type: 'match_accepted', actorId: them, target: { kind: 'match', id: matchId } });
    }
    return { matchId, status: 'accepted', ...link };
  }

  /**
   * A yes sent again (its answer lost with a dropped connection) while the offer would still
   * stand, to a match it accepted: heard as the first one was.
   */
  private async acceptedAlready(matchId: string, userId: string) {
    const match = await Match.findOne(
      {
        _id: matchId,
        status: 'accepted',
        [`answers.${userId}`]: true,
        answeredAt: { $gt: new Date(Date.now() - config.match.responseMs) },
      },
      ACCEPTED_FIELDS,
    ).lean();
    return match && acceptedAnswer(matchId, match);
  }

  /**
   * A video match's call could not be made: its seats go back (unless the other answer made
   * it), and a match this answer accepted ends for both (else both waited for a call that
   * never comes, and no retry could answer it).
   */
  private async callNotMade(matchId: string, callId: Types.ObjectId, accepted: boolean, userIds: string[]): Promise<void> {
    try {
      await giveSeatsBackUnlessConnected(callId);
      if (!accepted) return;
      const ended = await Match.updateOne(
        { _id: matchId, status: 'accepted', callId: null },
        { $set: { status: 'disconnected', endedAt: new Date() } },
      );
      if (ended.modifiedCount === 1) publishToUsers(userIds, 'match:ended', { matchId, reason: 'disconnected' });
    } catch (err) {
      logger.warn('a match whose call failed was not wound up', { matchId, error: errorMessage(err) });
    }
  }

  /**
   * An answer that found no standing offer. One past its time, its timer lost with its process,
   * ends as expired now (both told, who said yes back in the queue), not at the next clean-up,
   * so neither waits an hour to join.
   */
  private async refuseLate(matchId: string, me: Types.ObjectId): Promise<never> {
    const late = await Match.exists({ _id: matchId, userIds: me, status: 'pending', expiresAt: { $lte: new Date() } });
    if (late) await this.end(matchId, 'expired', String(me));
    throw notAnswerable();
  }

  private clearTimer(matchId: string) {
    clearTimeout(this.responseTimers.get(matchId));
    this.responseTimers.delete(matchId);
  }

  /**
   * Ends a pending match once. Whoever did not end it (and, on expiry, whoever had said
   * yes) goes back to the queue ahead of newcomers; a rejected pair cools down.
   */
  async end(matchId: string, reason: 'rejected' | 'expired' | 'left' | 'disconnected', by?: string) {
    const match = await Match.findOneAndUpdate(
      {
        _id: matchId,
        status: 'pending',
        ...(by && { userIds: new Types.ObjectId(by) }),
        // A no counts while the offer stands (a lost timer leaves it pending for the clean-up
        // job): a rejection's cool-down is found by when its match was made (rejectionCoolDownUntil).
        ...(reason === 'rejected' && { expiresAt: { $gt: new Date() } }),
      },
      { $set: { status: reason, endedAt: new Date() } },
      { returnDocument: 'after' },
    ).lean();
    if (!match) return null;
    this.clearTimer(matchId);
    const ids = match.userIds.map(String);
    publishToUsers(ids, 'match:ended', { matchId, reason });
    if (reason === 'rejected') await this.pairRules.coolDown(ids[0]!, ids[1]!, config.match.coolDownMs);
    const answers = match.answers as Map<string, boolean> | Record<string, boolean> | undefined;
    const saidYes = (id: string) => (answers instanceof Map ? answers.get(id) : answers?.[id]) === true;
    for (const ticket of match.tickets as Ticket[]) {
      const back = reason === 'expired' ? saidYes(ticket.userId) : ticket.userId !== by;
      // The match is over either way: someone the queue cannot take back now is told it ended, and joins again.
      if (back) await this.queue.putBack({ ...ticket, priority: ticket.priority + 1 }).catch(logQueueWriteFailure);
    }
    return match;
  }

  /** The user's last socket is gone: no ticket left behind, and a pending match ends for both. */
  async userGone(userId: string): Promise<void> {
    this.queue.forget(userId);
    // A ticket the queue cannot drop now is dropped when a round draws it (no socket: not offered).
    await this.store.remove(userId).catch(logQueueWriteFailure);
    const pending = await Match.find({ userIds: new Types.ObjectId(userId), status: 'pending' }, { _id: 1 }).lean();
    for (const m of pending) await this.end(String(m._id), 'disconnected', userId);
  }
}

const sayJoinFailure = perKeyThrottle(10_000);
const queueUnavailable = () => new AppError('MATCHING_UNAVAILABLE', 'Matchmaking is unavailable right now: try again shortly');
const logQueueWriteFailure = (err: unknown) => logger.warn('a match queue write failed', { error: errorMessage(err) });

const notAnswerable = () => new AppError('MATCH_NOT_PENDING', 'This match is no longer waiting for an answer');

/**
 * What an answer to an accepted match hears: where to meet once it is made (a chat's
 * conversation, a video match's call: stored after they are; match:accepted tells it too).
 */
const ACCEPTED_FIELDS = { status: 1, mode: 1, userIds: 1, conversationId: 1, callId: 1 } as const;
function acceptedAnswer(
  matchId: string,
  match: { userIds: Types.ObjectId[]; conversationId?: Types.ObjectId | null; callId?: Types.ObjectId | null },
) {
  const status = 'accepted' as const;
  // A video match's call: its first member is the caller (sends the offer).
  if (match.callId) return { matchId, status, callId: String(match.callId), callerId: String(match.userIds[0]) };
  return { matchId, status, ...(match.conversationId && { conversationId: String(match.conversationId) }) };
}
