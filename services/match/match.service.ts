import { Types } from 'mongoose';
import { Block } from '../../models/block.model.js';
import { pairKeyOf } from '../../models/connection.model.js';
import { Match } from '../../models/match.model.js';
import { Report } from '../../models/report.model.js';
import { Semaphore } from '../../utils/semaphore.js';
import { isBlockedEitherWay } from '../people/block.service.js';
import { publishToUsers } from '../realtime.service.js';
import { nextCursorOf, olderThan } from '../page-cursor.js';

/**
 * A match as one of its two people sees it. Its duration is how long the offer lasted
 * (found to answered or ended); the talk's own length is on the call (video) or shows in
 * the conversation (chat).
 */
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
  const closedAt = m.answeredAt ?? m.endedAt;
  return {
    id: String(m._id),
    partnerId: m.userIds.map(String).find((id) => id !== me) ?? me,
    mode: m.mode,
    status: m.status,
    foundAt: m.foundAt,
    ...(m.answeredAt ? { answeredAt: m.answeredAt } : {}),
    ...(m.endedAt ? { endedAt: m.endedAt } : {}),
    ...(closedAt ? { durationSec: Math.round((closedAt.getTime() - m.foundAt.getTime()) / 1000) } : {}),
    ...(m.conversationId ? { conversationId: String(m.conversationId) } : {}),
    ...(m.callId ? { callId: String(m.callId) } : {}),
  };
}

/** One's matches, newest first, by cursor. */
export async function matchHistory(me: string, page: { limit: number; cursor?: string }) {
  const matches = await Match.find({ userIds: new Types.ObjectId(me), ...olderThan(page.cursor) }, { tickets: 0, answers: 0 })
    .sort({ _id: -1 })
    .limit(page.limit)
    .lean();
  return {
    matches: matches.map((m) => matchView(m, me)),
    nextCursor: nextCursorOf(matches, page.limit),
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
 * And video matches accepted by a process that died before it made their call: ended as a
 * disconnect (their seats, of a call never stored, are taken over by themselves).
 */
export async function expireStaleMatches(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - 60_000);
  const stale = await Match.find({ status: 'pending', expiresAt: { $lt: cutoff } }, { userIds: 1 }).lean();
  // Accepted before its answer time ran out, so by the index on status and expiresAt: the last
  // day's (the job runs hourly), not every accepted match ever.
  const callless = await Match.find(
    { status: 'accepted', expiresAt: { $gt: new Date(now.getTime() - 86_400_000), $lt: cutoff }, mode: 'video', callId: null },
    { userIds: 1 },
  ).lean();
  const ends = [
    ...stale.map((m) => ({ m, from: 'pending' as const, reason: 'expired' as const })),
    ...callless.map((m) => ({ m, from: 'accepted' as const, reason: 'disconnected' as const })),
  ];
  let ended = 0;
  for (const { m, from, reason } of ends) {
    const res = await Match.updateOne(
      { _id: m._id, status: from, ...(from === 'accepted' && { callId: null }) },
      { $set: { status: reason, endedAt: now } },
    );
    if (res.modifiedCount !== 1) continue;
    ended++;
    publishToUsers(m.userIds.map(String), 'match:ended', { matchId: String(m._id), reason });
  }
  return ended;
}

/**
 * Until when a rejection keeps the two apart (ms since the epoch; 0 for not at all): the
 * latest match between them one turned down, `coolDownMs` from when it ended. The queue's
 * cool-down stands for it, and is put back from it whenever a block's or an unblock's rule
 * rewrites the pair (an unblock must not lift it). A rejected match was made at most
 * `responseMs` before it ended, so only the matches made since then are read (by the
 * index on userIds and _id).
 */
export async function rejectionCoolDownUntil(a: string, b: string, coolDownMs: number, responseMs: number): Promise<number> {
  const now = Date.now();
  // A minute more for clocks a little apart between processes.
  const since = Types.ObjectId.createFromTime(Math.floor((now - coolDownMs - responseMs - 60_000) / 1000));
  const rejected = await Match.collection
    .find<{ userIds: Types.ObjectId[]; endedAt?: Date }>(
      { userIds: new Types.ObjectId(a), _id: { $gte: since }, status: 'rejected' },
      { projection: { _id: 0, userIds: 1, endedAt: 1 } },
    )
    .toArray();
  let until = 0;
  for (const m of rejected) {
    if (m.endedAt && m.userIds.some((id) => id.equals(b))) until = Math.max(until, m.endedAt.getTime() + coolDownMs);
  }
  return until > now ? until : 0;
}

/**
 * Of these pairs, the ones the database keeps apart, with until when (ms since the epoch): a
 * block either way (for `forMs` from now: it stands), or a report of one by the other (for
 * `forMs` from when it was made). What the queue's avoid sets hold for a while; this is the
 * word they stand for, asked before a match is offered. Keys as pairKeyOf. Equality reads on
 * the unique keys only, four per pair (FerretDB applies $in and $or after the equality part).
 */
export async function separatedPairs(pairs: [string, string][], forMs: number): Promise<Map<string, number>> {
  const now = Date.now();
  const apart = new Map<string, number>();
  await Promise.all(pairs.map((pair) => separationReads.run(() => readSeparation(pair, now, forMs, apart))));
  return apart;
}

// A few pairs at a time in the whole process (a round's batch, pair rules, accepts): they must
// not queue hundreds of reads ahead of requests on the pool.
const separationReads = new Semaphore(16);

/** Whether `actor` blocked or reported `other` (of a separated pair: which of the two did it). */
export async function separatedBy(actor: string, other: string): Promise<boolean> {
  const [from, to] = [new Types.ObjectId(actor), new Types.ObjectId(other)];
  const [blocked, reported] = await Promise.all([
    Block.exists({ blockerId: from, blockedId: to }),
    Report.exists({ reporterId: from, targetType: 'user', targetId: to }),
  ]);
  return Boolean(blocked || reported);
}

/** One pair's part of separatedPairs, into `apart`. */
async function readSeparation([a, b]: [string, string], now: number, forMs: number, apart: Map<string, number>): Promise<void> {
  const [x, y] = [new Types.ObjectId(a), new Types.ObjectId(b)];
  const [blocked, reports] = await Promise.all([
    isBlockedEitherWay(x, y),
    Promise.all(
      [
        [x, y],
        [y, x],
      ].map(([from, to]) =>
        Report.collection.findOne<{ createdAt: Date }>(
          { reporterId: from, targetType: 'user', targetId: to },
          { projection: { _id: 0, createdAt: 1 } },
        ),
      ),
    ),
  ]);
  const until = Math.max(blocked ? now + forMs : 0, ...reports.map((r) => (r ? r.createdAt.getTime() + forMs : 0)));
  if (until > now) apart.set(pairKeyOf(a, b), until);
}
