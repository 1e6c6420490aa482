import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { Call } from '../../models/call.model.js';
import { pairKeyOf } from '../../models/connection.model.js';
import { Match } from '../../models/match.model.js';
import { User } from '../../models/user.model.js';
import { ageOn } from '../../utils/age.js';
import { AppError, forbidden, notFound } from '../../utils/app-error.js';
import { distanceKm } from '../../utils/geo.js';
import { logger } from '../../utils/logger.js';
import { hiddenUserIds, isBlockedEitherWay } from '../block.service.js';
import { matchConversation } from '../chat/conversation.service.js';
import { toUserCard } from '../profile.service.js';
import { publishToUsers } from '../realtime.service.js';
import { usersById } from '../user.service.js';
import type { MatchMode, QueueStore, Ticket } from './queue.store.js';

export interface JoinInput {
  mode: MatchMode;
  country?: string;
  interests?: string[];
  preference?: string;
}

const GENDERS = ['male', 'female', 'non-binary', 'other'];
// Per gender bucket, how many waiting people a ticket considers in one round.
const LOOK_AT_MOST = 200;

// Optional filters relax step by step with waiting, so nobody waits forever when a partner exists.
const RELAX_INTERESTS_MS = 10_000;
const RELAX_COUNTRY_MS = 20_000;
const RELAX_DISTANCE_MS = 30_000;

/** Whether a and b may be paired now: the hard rules both ways, then the filters their waiting allows. */
export function compatible(a: Ticket, b: Ticket, now: number): boolean {
  if (a.userId === b.userId || a.mode !== b.mode) return false;
  if (a.hidden.includes(b.userId) || b.hidden.includes(a.userId)) return false;
  if (a.preference !== b.preference) return false;
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    if (x.lookingFor.genders.length && !x.lookingFor.genders.includes(y.gender)) return false;
    if (y.age < x.lookingFor.minAge || y.age > x.lookingFor.maxAge) return false;
    const waited = now - x.joinedAt;
    if (x.country && waited < RELAX_COUNTRY_MS && y.country !== x.country) return false;
    if (x.location && y.location && waited < RELAX_DISTANCE_MS) {
      if (distanceKm(x.location, y.location) > Math.min(x.lookingFor.maxDistanceKm, y.lookingFor.maxDistanceKm)) return false;
    }
    if (x.interests.length && waited < RELAX_INTERESTS_MS && !x.interests.some((t) => y.interests.includes(t))) return false;
  }
  return true;
}

/** Higher is better: shared interests, nearness, and how long the partner has waited. */
export function score(a: Ticket, b: Ticket, now: number): number {
  const shared = a.interests.filter((t) => b.interests.includes(t)).length;
  const km = a.location && b.location ? distanceKm(a.location, b.location) : null;
  return (
    shared * 100 + (km === null ? 0 : Math.max(0, 50 - km / 20)) + Math.min(60, (now - b.joinedAt) / 1000) + b.priority * 1000
  );
}

/**
 * The matchmaker of one process. Every process runs rounds over the shared queue; the
 * atomic claim of two tickets means a user is never matched twice.
 */
export class Matchmaker {
  private timer?: NodeJS.Timeout;
  private running = false;
  private readonly responseTimers = new Map<string, NodeJS.Timeout>();

  constructor(readonly store: QueueStore) {}

  start(): void {
    this.timer = setInterval(() => void this.round(), config.match.roundMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const t of this.responseTimers.values()) clearTimeout(t);
    this.responseTimers.clear();
  }

  async join(userId: string, input: JoinInput): Promise<{ position: number }> {
    const user = await User.findById(userId, {
      gender: 1,
      dateOfBirth: 1,
      preference: 1,
      lookingFor: 1,
      interests: 1,
      location: 1,
      availableForMatching: 1,
      bannedAt: 1,
    }).lean();
    if (!user || user.bannedAt) throw notFound('User');
    if (!user.availableForMatching) throw forbidden('Turn on "available for matching" first', 'NOT_AVAILABLE');
    if (await Match.exists({ userIds: new Types.ObjectId(userId), status: 'pending' })) {
      throw new AppError(409, 'MATCH_PENDING', 'Answer your current match first');
    }
    const ticket: Ticket = {
      userId,
      mode: input.mode,
      joinedAt: Date.now(),
      priority: 0,
      gender: user.gender,
      age: ageOn(user.dateOfBirth),
      preference: input.preference ?? user.preference,
      lookingFor: {
        genders: user.lookingFor?.genders ?? [],
        minAge: user.lookingFor?.minAge ?? 18,
        maxAge: user.lookingFor?.maxAge ?? 120,
        maxDistanceKm: user.lookingFor?.maxDistanceKm ?? 100,
      },
      interests: input.interests ?? user.interests ?? [],
      ...(user.location ? { location: { lat: user.location.lat, lng: user.location.lng } } : {}),
      ...(input.country ? { country: input.country } : {}),
      hidden: (await hiddenUserIds(userId)).map(String),
    };
    await this.store.put(ticket);
    // An estimate: everyone waiting in the mode now (the newest ticket is last in line).
    const position = await this.store.size(input.mode);
    publishToUsers([userId], 'match:searching', { mode: input.mode });
    setImmediate(() => void this.round());
    return { position };
  }

  leave(userId: string): Promise<boolean> {
    return this.store.remove(userId);
  }

  /** One pass: the longest waiting (and returning partners) first, each with its best compatible partner. */
  async round(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const mode of ['chat', 'video'] as const) await this.pairUp(await this.store.all(mode));
    } catch (err) {
      logger.error('matching round failed', { error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.running = false;
    }
  }

  private async pairUp(tickets: Ticket[]): Promise<void> {
    const now = Date.now();
    const taken = new Set<string>();
    tickets.sort((x, y) => y.priority - x.priority || x.joinedAt - y.joinedAt);
    // Buckets by preference and gender, in waiting order: a ticket only looks where a
    // partner could be, and at a bounded number of them, so a round stays near-linear.
    const buckets = new Map<string, Ticket[]>();
    for (const t of tickets) {
      const key = `${t.preference}|${t.gender}`;
      buckets.set(key, [...(buckets.get(key) ?? []), t]);
    }
    for (const a of tickets) {
      if (taken.has(a.userId)) continue;
      const genders = a.lookingFor.genders.length ? a.lookingFor.genders : GENDERS;
      const candidates: Ticket[] = [];
      for (const gender of genders) {
        let looked = 0;
        for (const b of buckets.get(`${a.preference}|${gender}`) ?? []) {
          if (looked++ >= LOOK_AT_MOST) break;
          if (!taken.has(b.userId) && compatible(a, b, now)) candidates.push(b);
        }
      }
      candidates.sort((x, y) => score(a, y, now) - score(a, x, now));
      for (const b of candidates) {
        const pairKey = pairKeyOf(a.userId, b.userId);
        if (await this.store.isCooling(pairKey)) continue;
        if (await isBlockedEitherWay(a.userId, b.userId)) continue; // blocked since they joined
        if (!(await this.store.claim(a.mode, a.userId, b.userId))) break; // someone else got one of them
        taken.add(a.userId).add(b.userId);
        await this.found(a, b);
        break;
      }
    }
  }

  private async found(a: Ticket, b: Ticket): Promise<void> {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + config.match.responseMs);
    const match = await Match.create({
      userIds: [a.userId, b.userId],
      mode: a.mode,
      status: 'pending',
      tickets: [a, b],
      foundAt: now,
      expiresAt,
    });
    const matchId = String(match._id);
    const cards = await usersById([a.userId, b.userId]);
    for (const [me, partner] of [
      [a, b],
      [b, a],
    ] as const) {
      const card = cards.get(partner.userId);
      publishToUsers([me.userId], 'match:found', {
        matchId,
        mode: a.mode,
        expiresAt,
        partner: card ? toUserCard(card) : { id: partner.userId },
      });
    }
    const timer = setTimeout(() => {
      this.responseTimers.delete(matchId);
      void this.end(matchId, 'expired').catch(() => undefined);
    }, config.match.responseMs);
    timer.unref();
    this.responseTimers.set(matchId, timer);
  }

  /** An answer: both yes connects them (a private conversation or a call); a no ends it. */
  async respond(userId: string, matchId: string, accept: boolean) {
    if (!Types.ObjectId.isValid(matchId)) throw notFound('Match');
    const me = new Types.ObjectId(userId);
    if (!accept) {
      const ended = await this.end(matchId, 'rejected', userId);
      if (!ended) throw notAnswerable();
      return { matchId, status: 'rejected' };
    }
    const res = await Match.updateOne(
      { _id: matchId, userIds: me, status: 'pending' },
      { $set: { [`answers.${userId}`]: true } },
    );
    if (res.matchedCount !== 1) throw notAnswerable();
    const match = await Match.findById(matchId).lean();
    const answers = match?.answers as Map<string, boolean> | Record<string, boolean> | undefined;
    const yes = (id: string) => (answers instanceof Map ? answers.get(id) : answers?.[id]) === true;
    if (!match || !match.userIds.every((id) => yes(String(id)))) return { matchId, status: 'waiting' };
    // Both said yes: whoever gets here first connects them.
    const [a, b] = match.userIds.map(String) as [string, string];
    const won = await Match.updateOne(
      { _id: matchId, status: 'pending' },
      { $set: { status: 'accepted', answeredAt: new Date() } },
    );
    if (won.modifiedCount !== 1) return { matchId, status: 'accepted' };
    this.clearTimer(matchId);
    let link: { conversationId: string } | { callId: string };
    if (match.mode === 'chat') {
      const conversation = await matchConversation(a, b);
      link = { conversationId: String(conversation._id) };
      await Match.updateOne({ _id: matchId }, { $set: { conversationId: conversation._id } });
    } else {
      const at = new Date();
      const call = await Call.create({
        callerId: a,
        calleeId: b,
        memberIds: [a, b],
        mode: 'video',
        status: 'connected',
        outcome: 'accepted',
        ringingAt: at,
        expiresAt: at,
        connectedAt: at,
      });
      link = { callId: String(call._id) };
      await Match.updateOne({ _id: matchId }, { $set: { callId: call._id } });
    }
    publishToUsers([a, b], 'match:accepted', { matchId, ...link });
    return { matchId, status: 'accepted', ...link };
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
      { _id: matchId, status: 'pending', ...(by && { userIds: new Types.ObjectId(by) }) },
      { $set: { status: reason, endedAt: new Date() } },
      { returnDocument: 'after' },
    ).lean();
    if (!match) return null;
    this.clearTimer(matchId);
    const ids = match.userIds.map(String);
    publishToUsers(ids, 'match:ended', { matchId, reason });
    if (reason === 'rejected') await this.store.coolDown(pairKeyOf(ids[0]!, ids[1]!), config.match.coolDownMs);
    const answers = match.answers as Map<string, boolean> | Record<string, boolean> | undefined;
    const saidYes = (id: string) => (answers instanceof Map ? answers.get(id) : answers?.[id]) === true;
    for (const ticket of match.tickets as Ticket[]) {
      const back = reason === 'expired' ? saidYes(ticket.userId) : ticket.userId !== by;
      if (back) await this.store.put({ ...ticket, priority: ticket.priority + 1 });
    }
    return match;
  }

  /** The user's last socket is gone: no ticket left behind, and a pending match ends for both. */
  async userGone(userId: string): Promise<void> {
    await this.store.remove(userId);
    const pending = await Match.find({ userIds: new Types.ObjectId(userId), status: 'pending' }, { _id: 1 }).lean();
    for (const m of pending) await this.end(String(m._id), 'disconnected', userId);
  }
}

const notAnswerable = () => new AppError(409, 'MATCH_NOT_PENDING', 'This match is no longer waiting for an answer');

/** A match as one of its two people sees it. */
function matchView(
  m: {
    _id: unknown;
    userIds: unknown[];
    mode: string;
    status: string;
    foundAt: Date;
    answeredAt?: Date | null;
    endedAt?: Date | null;
    conversationId?: unknown;
    callId?: unknown;
  },
  me: string,
) {
  return {
    id: String(m._id),
    partnerId: m.userIds.map(String).find((id) => id !== me) ?? me,
    mode: m.mode,
    status: m.status,
    foundAt: m.foundAt,
    ...(m.answeredAt ? { answeredAt: m.answeredAt } : {}),
    ...(m.endedAt ? { endedAt: m.endedAt } : {}),
    ...(m.conversationId ? { conversationId: String(m.conversationId) } : {}),
    ...(m.callId ? { callId: String(m.callId) } : {}),
  };
}

/** One's matches, newest first, by cursor. */
export async function matchHistory(me: string, page: { limit: number; cursor?: string }) {
  const matches = await Match.find(
    { userIds: new Types.ObjectId(me), ...(page.cursor && { _id: { $lt: new Types.ObjectId(page.cursor) } }) },
    { tickets: 0, answers: 0 },
  )
    .sort({ _id: -1 })
    .limit(page.limit)
    .lean();
  return {
    matches: matches.map((m) => matchView(m, me)),
    nextCursor: matches.length === page.limit ? String(matches.at(-1)!._id) : null,
  };
}

/** The match waiting for an answer, if any. */
export async function pendingMatch(me: string) {
  const match = await Match.findOne({ userIds: new Types.ObjectId(me), status: 'pending' }, { tickets: 0, answers: 0 }).lean();
  return match ? matchView(match, me) : null;
}

/**
 * Pending matches whose process died before their timer fired: ended as expired by the
 * clean-up job, both told. (Their people rejoin by themselves; no store to re-queue from here.)
 */
export async function expireStaleMatches(now = new Date()): Promise<number> {
  const stale = await Match.find(
    { status: 'pending', expiresAt: { $lt: new Date(now.getTime() - 60_000) } },
    { userIds: 1 },
  ).lean();
  let ended = 0;
  for (const m of stale) {
    const res = await Match.updateOne({ _id: m._id, status: 'pending' }, { $set: { status: 'expired', endedAt: now } });
    if (res.modifiedCount !== 1) continue;
    ended++;
    publishToUsers(m.userIds.map(String), 'match:ended', { matchId: String(m._id), reason: 'expired' });
  }
  return ended;
}

/** A block (or a report) from a match ends it for both; nobody is re-queued with the other. */
export async function endMatchesBetween(a: string, b: string): Promise<void> {
  const pending = await Match.find({ userIds: new Types.ObjectId(a), status: 'pending' }, { userIds: 1 }).lean();
  for (const m of pending.filter((x) => x.userIds.map(String).includes(b))) {
    const res = await Match.updateOne({ _id: m._id, status: 'pending' }, { $set: { status: 'left', endedAt: new Date() } });
    if (res.modifiedCount === 1) publishToUsers([a, b], 'match:ended', { matchId: String(m._id), reason: 'left' });
  }
}
