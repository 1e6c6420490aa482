import { countLater, recordEvent, recordMatchingOutcome, recordMilestone } from '../analytics/record.js';
import { noteTaste } from '../match/taste/signals.js';
import { variantOf } from '../match/taste/taste.service.js';
import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { AlertCounter } from '../../models/alert-counter.model.js';
import { Connection, pairKeyOf, type ConnectionStatus } from '../../models/connection.model.js';
import { User } from '../../models/user.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { hiddenUserIds, isBlockedEitherWay } from '../people/block.service.js';
import { sendMail } from '../mail/mail.service.js';
import { toUserCard, type UserCard } from '../people/profile.service.js';
import { usersById } from '../people/user.service.js';
import { isInGoodStanding, standsWell } from '../people/standing.js';
import { endCallsBetween } from '../match/call.service.js';
import { consumeRequest } from './quota.service.js';
import { backfillConnection, dropFeedEntriesBetween } from '../feeds/fanout.js';
import { notifyLater } from '../notifications/notification.service.js';
import { mayEmail, RECIPIENT_FIELDS, type Recipient } from '../notifications/channels.js';
import { publishToUser } from '../realtime.service.js';
import { isDuplicateKey } from '../../utils/duplicate-key.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { olderThan, openIdCursor, sealedNextCursorOf } from '../page-cursor.js';
import { sendAccessChanged } from '../chat/send-access.js';

export type SwipeAction = 'interested' | 'ignored';
export type ReviewAction = 'accepted' | 'rejected';

interface ConnectionDoc {
  _id: Types.ObjectId;
  pairKey: string;
  senderId: Types.ObjectId;
  receiverId: Types.ObjectId;
  status: ConnectionStatus;
  createdAt: Date;
  reviewedAt?: Date;
  connectedAt?: Date;
  via?: 'contact';
  passedAt?: Date;
  passId?: Types.ObjectId;
  pairKnown?: boolean;
  announcedId?: Types.ObjectId;
}

export interface ConnectionView {
  id: string;
  senderId: string;
  receiverId: string;
  status: ConnectionStatus;
  createdAt: Date;
  connectedAt?: Date;
}

const view = (c: ConnectionDoc): ConnectionView => ({
  id: String(c._id),
  senderId: String(c.senderId),
  receiverId: String(c.receiverId),
  status: c.status,
  createdAt: c.createdAt,
  ...(c.connectedAt ? { connectedAt: c.connectedAt } : {}),
});

/**
 * The record as `me` may know it: a "no" is never told. A request turned down reads as
 * still pending to its sender; a swipe that met an earlier pass reads to the one who
 * passed as their own pass, and to its sender as their swipe.
 */
function seenBy(c: ConnectionDoc, me: string): ConnectionView {
  if (c.passedAt && String(c.receiverId) === me)
    return view({
      ...c,
      _id: c.passId ?? c._id,
      senderId: c.receiverId,
      receiverId: c.senderId,
      status: 'ignored',
      createdAt: c.passedAt,
    });
  if (String(c.senderId) === me && c.status === 'rejected') return view({ ...c, status: 'interested' });
  if (c.announcedId && String(c.receiverId) === me) return view({ ...c, _id: c.announcedId });
  return view(c);
}

const alreadySwiped = () => new AppError('ALREADY_SWIPED', 'You two have already crossed paths');

/**
 * Someone one may act on: exists, in good standing (neither banned nor suspended, as everywhere
 * else they are out of sight), not oneself, not blocked either way (all 4xx, the same 404).
 */
async function reachableUser(me: string, them: string) {
  if (me === them) throw new AppError('CANNOT_CONNECT_SELF', 'You cannot send yourself a request');
  const user = await User.findById(them, { ...RECIPIENT_FIELDS, username: 1, suspendedUntil: 1, deletedAt: 1 }).lean();
  if (!user || user.deletedAt || !isInGoodStanding(user) || (await isBlockedEitherWay(me, them))) throw notFound('User');
  return user;
}

const who = async (userId: string) => {
  const u = await User.findById(userId, { username: 1, firstName: 1, lastName: 1 }).lean();
  return { id: userId, username: u?.username ?? '', firstName: u?.firstName ?? '' };
};

/** Tells both people, and counts the connection for the admins' batched alert. */
async function announceConnection(c: ConnectionDoc): Promise<void> {
  countLater(() => recordEvent('connection', { userId: String(c.receiverId) }));
  for (const id of [c.senderId, c.receiverId]) countLater(() => recordMilestone(String(id), 'connection'));
  const [sender, receiver] = await Promise.all([who(String(c.senderId)), who(String(c.receiverId))]);
  publishToUser(sender.id, 'connection:accepted', { connectionId: String(c._id), user: receiver });
  publishToUser(receiver.id, 'connection:accepted', { connectionId: String(c._id), user: sender });
  notifyLater({
    userId: sender.id,
    type: 'connection_accepted',
    actorId: receiver.id,
    target: { kind: 'user', id: receiver.id },
  });
  await backfillConnection(sender.id, receiver.id);
  if (config.alerts.adminEmail) {
    await AlertCounter.updateOne(
      { _id: 'connections' },
      { $inc: { pending: 1 }, $setOnInsert: { since: new Date() } },
      { upsert: true },
    );
  }
}

async function announceRequest(
  c: ConnectionDoc,
  receiver: Recipient & { settings?: { notifications?: { requests?: string | null } | null } | null },
): Promise<void> {
  const from = await who(String(c.senderId));
  publishToUser(String(c.receiverId), 'connection:request', { requestId: String(c._id), from });
  notifyLater({
    userId: String(c.receiverId),
    type: 'connection_request',
    actorId: from.id,
    target: { kind: 'connection', id: String(c._id) },
  });
  if (mayEmail(receiver) && (receiver.settings?.notifications?.requests ?? 'immediate') === 'immediate') {
    void sendMail('connectionRequest', receiver.email, {
      firstName: receiver.firstName,
      fromName: from.firstName,
      fromUsername: from.username,
      link: `${config.appUrl}/requests`,
    });
  }
}

export interface SwipeResult {
  connection: ConnectionView;
  matched: boolean;
  /** false when the swipe repeated one already stored (nothing changed, nothing counted). */
  created: boolean;
}

/**
 * A swipe: `interested` sends a request (counted against the plan's daily quota),
 * `ignored` passes. When the other person had already said interested, the swipe
 * answers their request instead, and an `interested` makes the connection at once.
 * One record per pair (unique pairKey); every state change is a conditional update.
 */
export async function swipe(me: string, them: string, action: SwipeAction, via?: 'contact'): Promise<SwipeResult> {
  const result = await swipeOnce(me, them, action, via);
  // Counted once it took: a refused or repeated swipe is nothing.
  if (result.created || result.matched) {
    countLater(() => recordEvent(action === 'interested' ? 'request' : 'swipe', { userId: me }));
  }
  if (result.matched) countLater(() => recordMatchingOutcome(variantOf(me), 'match'));
  return result;
}

async function swipeOnce(me: string, them: string, action: SwipeAction, via?: 'contact'): Promise<SwipeResult> {
  const receiver = await reachableUser(me, them);
  const pairKey = pairKeyOf(me, them);
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await Connection.findOne({ pairKey }).lean<ConnectionDoc>();
    if (!existing || existing.status === 'removed') {
      // Write first, so the unique pair key settles double taps before any quota is spent.
      const created = await createSwipe(pairKey, me, them, action, existing !== null, via);
      if (!created) continue; // someone else wrote the pair first: look again
      // A contact's request was paid for before its address was looked up.
      if (action === 'interested' && !via) {
        try {
          await consumeRequest(me);
        } catch (err) {
          // Over quota: take the request back (unless it was answered in the meantime: then it stands).
          const undone = existing
            ? await Connection.updateOne({ _id: created._id, status: 'interested' }, { $set: { status: 'removed' } })
            : await Connection.deleteOne({ _id: created._id, status: 'interested' });
          if (('modifiedCount' in undone ? undone.modifiedCount : undone.deletedCount) === 1) throw err;
          const answered = await Connection.findById(created._id).lean<ConnectionDoc>();
          return { connection: view(answered!), matched: answered?.status === 'accepted', created: true };
        }
      }
      if (action === 'interested') await announceRequest(created, receiver);
      // What the matcher learns: a first swipe says like or pass.
      noteTaste(me, them, action === 'interested' ? 'like' : 'pass');
      return { connection: view(created), matched: false, created: true };
    }
    // A request by address never answers or repeats anything: what it found must not show.
    if (via) {
      // Their pass on me, still open: taken over as my swipe would take it (the address paid
      // its quota), or my deck, which keeps them until I act, would tell me they passed.
      if (isOpenPass(existing, me) && !(await swipeOverPass(existing, me, action, via))) continue;
      return { connection: view(existing), matched: false, created: false };
    }
    if (
      String(existing.senderId) === me &&
      existing.via &&
      (existing.status === 'interested' || existing.status === 'rejected')
    ) {
      const taken = await takeOverContactRequest(existing, action);
      if (!taken) continue;
      noteTaste(me, them, action === 'interested' ? 'like' : 'pass');
      return { connection: seenBy(taken, me), matched: taken.status === 'accepted', created: true };
    }
    if (String(existing.senderId) === me) {
      // A repeat of one's own swipe is answered again, not stored or counted twice (a request
      // turned down is, to its sender, still pending).
      if (existing.status === action || (existing.status === 'rejected' && action === 'interested'))
        return { connection: seenBy(existing, me), matched: false, created: false };
      throw existing.status === 'accepted' ? new AppError('ALREADY_CONNECTED', 'You are already connected') : alreadySwiped();
    }
    if (existing.passedAt) {
      // I passed before their swipe: to me the record is my pass, answered as one.
      if (action === 'ignored') return { connection: seenBy(existing, me), matched: false, created: false };
      throw alreadySwiped();
    }
    if (existing.status === 'accepted') throw new AppError('ALREADY_CONNECTED', 'You are already connected');
    if (existing.status === 'ignored') {
      const quiet = await swipeOverPass(existing, me, action, undefined);
      if (!quiet) continue;
      return { connection: seenBy(quiet, me), matched: false, created: true };
    }
    if (existing.status !== 'interested') throw alreadySwiped();
    // They asked first: this swipe is the answer.
    const answered = await answer(existing._id, me, action === 'interested' ? 'accepted' : 'rejected');
    if (answered) noteTaste(me, them, action === 'interested' ? 'accept' : 'decline');
    if (answered) return { connection: view(answered), matched: answered.status === 'accepted', created: false };
  }
  throw new AppError('CONCURRENT_UPDATE', 'This changed at the same moment; try again');
}

/**
 * Another's pass on me that nothing else made known to me (not one over my request by
 * address, nor over a past connection): my deck keeps them, and my swipe goes nowhere.
 */
const isOpenPass = (
  c: { status: ConnectionStatus; senderId: Types.ObjectId; passedAt?: Date | null; pairKnown?: boolean | null },
  me: string,
) => c.status === 'ignored' && String(c.senderId) !== me && !c.passedAt && !c.pairKnown;

/** Puts a record taken over back as it was (its own id and dates). */
async function restoreRecord(existing: ConnectionDoc): Promise<void> {
  await Connection.collection
    .insertOne(existing)
    .catch((err: unknown) =>
      logger.warn('connection record not restored', { pairKey: existing.pairKey, error: errorMessage(err) }),
    );
}

/**
 * A record taken over by a new swipe is written again under a new id: an id's first bytes
 * are its creation time, and the old one would date the request by address or the pass it
 * replaces. Conditional on the record as read; null when another write won (a concurrent
 * first swipe may take the pair in between: the caller looks again). An insert that fails
 * otherwise puts the old record back.
 */
async function replaceRecord(
  existing: ConnectionDoc,
  still: Record<string, unknown>,
  fresh: Omit<ConnectionDoc, '_id' | 'createdAt' | 'pairKey'>,
): Promise<ConnectionDoc | null> {
  const gone = await Connection.deleteOne({ _id: existing._id, ...still });
  if (gone.deletedCount !== 1) return null;
  const memberIds = [String(fresh.senderId), String(fresh.receiverId)].sort();
  try {
    return (await Connection.create({ ...fresh, pairKey: existing.pairKey, memberIds })).toObject() as ConnectionDoc;
  } catch (err) {
    if (isDuplicateKey(err)) return null;
    await restoreRecord(existing);
    throw err;
  }
}

/**
 * A takeover that asks for something is paid once it won; over quota, the record as it was
 * comes back, unless it was answered meanwhile (accepted from the notice): that stands.
 */
async function payForTakeover(taken: ConnectionDoc, existing: ConnectionDoc, payer: string): Promise<ConnectionDoc> {
  try {
    await consumeRequest(payer);
    return taken;
  } catch (err) {
    if ((await Connection.deleteOne({ _id: taken._id, status: taken.status })).deletedCount === 1) {
      await restoreRecord(existing);
      throw err;
    }
    return (await Connection.findById(taken._id).lean<ConnectionDoc>()) ?? taken;
  }
}

/**
 * One's own swipe on someone one had asked by address, answered or not: answered as a first
 * swipe would be (stored now, under a new id, a request's quota spent), so no swipe tells
 * whether the address was theirs, nor whether they turned it down. The request becomes an
 * ordinary one (listed; still turned down if it was), or gives way to the pass, which they
 * knew of (the request) and so keeps the pair out of their deck.
 */
async function takeOverContactRequest(existing: ConnectionDoc, action: SwipeAction): Promise<ConnectionDoc | null> {
  const status = action === 'ignored' ? 'ignored' : existing.status;
  const taken = await replaceRecord(
    existing,
    { status: existing.status, via: 'contact' },
    {
      senderId: existing.senderId,
      receiverId: existing.receiverId,
      status,
      ...(status === 'rejected' && { reviewedAt: new Date() }),
      ...(status === 'ignored' && { pairKnown: true }),
      // A request by address over their pass: to them it stays their pass.
      ...(existing.passedAt && { passedAt: existing.passedAt, passId: existing.passId }),
      // One they were told of (and may answer from the notice) keeps, to them, the id they know.
      ...(existing.status === 'interested' && status === 'interested' && { announcedId: existing.announcedId ?? existing._id }),
    },
  );
  return taken && action === 'interested' ? payForTakeover(taken, existing, String(existing.senderId)) : taken;
}

/**
 * My first swipe (or request by address) on someone who had passed on me: stored under a new
 * id, its quota spent (an address's was already), no one told, as if they had not answered
 * yet (an interest reads as a request turned down at once). The record becomes mine; their
 * pass stays in passedAt and passId, which is what they still see. Null when another write won.
 */
async function swipeOverPass(
  existing: ConnectionDoc,
  me: string,
  action: SwipeAction,
  via: 'contact' | undefined,
): Promise<ConnectionDoc | null> {
  const taken = await replaceRecord(
    existing,
    { senderId: existing.senderId, status: 'ignored', passedAt: null },
    {
      senderId: new Types.ObjectId(me),
      receiverId: existing.senderId,
      status: action === 'interested' ? 'rejected' : 'ignored',
      passedAt: existing.createdAt,
      passId: existing._id,
      ...(action === 'interested' && { reviewedAt: new Date() }),
      ...(via && { via }),
    },
  );
  if (!taken) return null;
  // A request turned down at once: nobody can answer it meanwhile.
  if (action === 'interested' && !via) await payForTakeover(taken, existing, me);
  noteTaste(me, existing.senderId, action === 'interested' ? 'like' : 'pass');
  return taken;
}

/** Stores a first swipe on a pair (or a new one over a removed connection); null when another write won. */
async function createSwipe(
  pairKey: string,
  me: string,
  them: string,
  action: SwipeAction,
  overRemoved: boolean,
  via: 'contact' | undefined,
) {
  const fresh = {
    senderId: me,
    receiverId: them,
    status: action,
    memberIds: [me, them].sort(),
    ...(via && { via }),
    // A pass on a past connection: they knew of the pair, so it keeps them out of their deck as before.
    ...(overRemoved && action === 'ignored' && { pairKnown: true }),
  };
  try {
    if (!overRemoved) return (await Connection.create({ pairKey, ...fresh })).toObject() as ConnectionDoc;
    const res = await Connection.updateOne(
      { pairKey, status: 'removed' },
      {
        $set: { ...fresh, createdAt: new Date() },
        $unset: {
          reviewedAt: 1,
          connectedAt: 1,
          // What a takeover left on the record belongs to the pair's earlier story.
          announcedId: 1,
          passedAt: 1,
          passId: 1,
          ...(!via && { via: 1 }),
          ...(action !== 'ignored' && { pairKnown: 1 }),
        },
      },
    );
    return res.modifiedCount === 1 ? await Connection.findOne({ pairKey }).lean<ConnectionDoc>() : null;
  } catch (err) {
    if (isDuplicateKey(err)) return null;
    throw err;
  }
}

/** Moves a pending request to accepted or rejected if `me` is its receiver and it is still pending. */
async function answer(requestId: Types.ObjectId | string, me: string, action: ReviewAction): Promise<ConnectionDoc | null> {
  const now = new Date();
  const res = await Connection.updateOne(
    { _id: requestId, receiverId: me, status: 'interested' },
    { $set: { status: action, reviewedAt: now, ...(action === 'accepted' ? { connectedAt: now } : {}) } },
  );
  if (res.modifiedCount !== 1) return null;
  const updated = await Connection.findById(requestId).lean<ConnectionDoc>();
  if (updated && action === 'accepted') await announceConnection(updated);
  return updated;
}

/** Accept or reject a request: only its receiver, only while pending, only once. */
export async function reviewRequest(me: string, requestId: string, action: ReviewAction): Promise<ConnectionView> {
  // A request taken over since it was announced answers to the id its receiver was told.
  const fields = { senderId: 1, receiverId: 1, status: 1, passedAt: 1, announcedId: 1 };
  const request =
    (await Connection.findById(requestId, fields).lean<ConnectionDoc>()) ??
    (await Connection.findOne({ announcedId: requestId }, fields).lean<ConnectionDoc>());
  // Someone else's request reads as missing: its existence is none of a third user's business.
  // A swipe over my earlier pass is, to me, my own pass: not a request of theirs.
  if (!request || String(request.receiverId) !== me || request.passedAt) throw notFound('Request');
  // A sender blocked either way, or since banned or suspended, is out of the list: so is their request.
  const [blocked, senderStands] = await Promise.all([isBlockedEitherWay(me, request.senderId), standsWell(request.senderId)]);
  if (blocked || !senderStands) throw notFound('Request');
  // Taken over by its sender's swipe between the read and the answer: answered where it went.
  const moved = async () => {
    const now = await Connection.findOne({ announcedId: request.announcedId ?? request._id }, fields).lean<ConnectionDoc>();
    return now && String(now.receiverId) === me ? answer(now._id, me, action) : null;
  };
  const updated = (await answer(request._id, me, action)) ?? (await moved());
  if (!updated) throw new AppError('ALREADY_REVIEWED', 'This request has already been answered');
  noteTaste(me, request.senderId, action === 'accepted' ? 'accept' : 'decline');
  if (action === 'accepted') countLater(() => recordMatchingOutcome(variantOf(me), 'match'));
  return seenBy(updated, me);
}

/** Ends a connection. The record stays (as removed) so the pair does not reappear in discovery. */
export async function removeConnection(me: string, them: string): Promise<void> {
  const res = await Connection.updateOne(
    { pairKey: pairKeyOf(me, them), status: 'accepted' },
    { $set: { status: 'removed' }, $unset: { connectedAt: 1 } },
  );
  if (res.modifiedCount !== 1) throw notFound('Connection');
  sendAccessChanged({ userIds: [me, them] });
  // Calls are between connections: one ringing or under way ends with the connection.
  await Promise.all([dropFeedEntriesBetween(me, them), endCallsBetween(me, them)]);
}

export type ListKind = 'friends' | 'received' | 'sent';

export interface ConnectionListItem {
  id: string;
  user: UserCard;
  status: ConnectionStatus;
  createdAt: Date;
  connectedAt?: Date;
}

/** How many requests someone's received list shows: none from a blocked or banned sender. */
export async function visibleRequestCount(receiverId: string): Promise<number> {
  const senders = await Connection.find({ receiverId, status: 'interested' }, { _id: 0, senderId: 1 }).lean();
  if (senders.length === 0) return 0;
  const hidden = new Set((await hiddenUserIds(receiverId)).map(String));
  const shown = senders.map((c) => c.senderId).filter((id) => !hidden.has(String(id)));
  // One indexed read per sender, a few at a time (FerretDB answers $in with a full scan).
  let count = 0;
  for (let i = 0; i < shown.length; i += 20) {
    const stands = await Promise.all(shown.slice(i, i + 20).map((id) => standsWell(id)));
    count += stands.filter(Boolean).length;
  }
  return count;
}

/**
 * Friends, received or sent pending requests, newest first by cursor. Each is one
 * indexed equality part; people blocked either way are left out of the page.
 */
export async function listConnections(
  me: string,
  kind: ListKind,
  page: { limit: number; cursor?: string },
): Promise<{ items: ConnectionListItem[]; nextCursor: string | null }> {
  const filter: Record<string, unknown> =
    kind === 'friends'
      ? { memberIds: new Types.ObjectId(me), status: 'accepted' }
      : kind === 'received'
        ? { receiverId: me, status: 'interested' }
        : // A request by email address stays out: the list would name who uses the address.
          // One turned down stays in, as pending: its sender is never told.
          { senderId: me, status: { $in: ['interested', 'rejected'] }, via: { $ne: 'contact' } };
  // Sealed: the page's last row may be one the viewer is not shown (someone blocked, suspended).
  const purpose = `connections:${kind}`;
  const records = await Connection.find({ ...filter, ...olderThan(openIdCursor(purpose, page.cursor)) })
    .sort({ _id: -1 })
    .limit(page.limit)
    .lean<ConnectionDoc[]>();
  const hidden = new Set((await hiddenUserIds(me)).map(String));
  const otherOf = (c: ConnectionDoc) => String(String(c.senderId) === me ? c.receiverId : c.senderId);
  const visible = records.filter((c) => !hidden.has(otherOf(c)));
  const users = await usersById(visible.map(otherOf));
  const items = visible.flatMap((c) => {
    const user = users.get(otherOf(c));
    if (!user) return [];
    return [
      {
        id: seenBy(c, me).id,
        user: toUserCard(user),
        status: seenBy(c, me).status,
        createdAt: c.createdAt,
        ...(c.connectedAt ? { connectedAt: c.connectedAt } : {}),
      },
    ];
  });
  return { items, nextCursor: sealedNextCursorOf(purpose, records, page.limit) };
}

// A person's own records read for their deck, at most: all of them for nearly everyone.
// Past it, candidates are looked up by pair as the deck needs them, so a heavy swiper's deck
// costs what anyone's does.
const DECK_RECORDS_READ = 500;
const LOOKUPS_AT_ONCE = 25;
const DECK_RECORD_FIELDS = { memberIds: 1, senderId: 1, status: 1, passedAt: 1, pairKnown: 1, via: 1 } as const;

/**
 * Who discovery leaves out of my deck for good: anyone I have a record with, whatever its
 * state, but another's pass on me.
 */
export interface DeckRecords {
  /** People left out, from the records read: all of them when `complete`. */
  paired: string[];
  complete: boolean;
  /** Of these candidates (none of `paired`), those left out; asked only when not `complete`. */
  among(candidateIds: string[]): Promise<Set<string>>;
}

export async function deckRecordsOf(me: string): Promise<DeckRecords> {
  const mine = await Connection.find({ memberIds: new Types.ObjectId(me) }, DECK_RECORD_FIELDS)
    .limit(DECK_RECORDS_READ + 1)
    .lean();
  const complete = mine.length <= DECK_RECORDS_READ;
  return {
    paired: pairedIn(mine, me),
    complete,
    // One indexed equality per candidate: $in over pair keys is not served by an index everywhere.
    async among(ids) {
      if (complete) return new Set();
      // In batches: hundreds at once would queue every other request behind them for a connection.
      const records = [];
      for (let i = 0; i < ids.length; i += LOOKUPS_AT_ONCE)
        records.push(
          ...(await Promise.all(
            ids
              .slice(i, i + LOOKUPS_AT_ONCE)
              .map((id) => Connection.findOne({ pairKey: pairKeyOf(me, id) }, DECK_RECORD_FIELDS).lean()),
          )),
        );
      return new Set(
        pairedIn(
          records.filter((r) => r !== null),
          me,
        ),
      );
    },
  };
}

function pairedIn(
  records: (Parameters<typeof isOpenPass>[0] & { memberIds: Types.ObjectId[]; via?: string | null })[],
  me: string,
): string[] {
  return (
    records
      // Someone's pass on me stays out of this list: if they left my deck without a request,
      // the deck itself would tell me they passed. My swipe on them goes nowhere (swipeOverPass).
      .filter((r) => !isOpenPass(r, me))
      // So does my own request by address, waiting or declined: their leaving my deck would
      // name who uses the address, and later tell me they declined. My swipe takes it over.
      // (Accepted or removed, it is a connection, past or present, like any other.)
      .filter(
        (r) => !(r.via === 'contact' && String(r.senderId) === me && (r.status === 'interested' || r.status === 'rejected')),
      )
      .flatMap((r) => r.memberIds.map(String))
      .filter((id) => id !== me)
  );
}

/** Whether two people are connected (an accepted request either way). */
export async function isConnected(a: string, b: string): Promise<boolean> {
  return a !== b && Boolean(await Connection.exists({ pairKey: pairKeyOf(a, b), status: 'accepted' }));
}
