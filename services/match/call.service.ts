import { noteTaste } from './taste/signals.js';
import { countLater, recordEvent } from '../analytics/record.js';
import { createHmac } from 'node:crypto';
import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { Call } from '../../models/call.model.js';
import { CallSeat } from '../../models/call-seat.model.js';
import { insertedOnce } from '../../utils/duplicate-key.js';
import { AppError, forbidden, notFound } from '../../utils/app-error.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { isBlockedEitherWay } from '../people/block.service.js';
import { isConnected } from '../connections/connection.service.js';
import { toUserCard } from '../people/profile.service.js';
import { publishToUsers } from '../realtime.service.js';
import { usersById } from '../people/user.service.js';
import { nextCursorOf, olderThan } from '../page-cursor.js';
import { notifyLater } from '../notifications/notification.service.js';
import { isOnline } from '../presence/presence.service.js';
import { PresenceUnavailableError } from '../presence/presence.store.js';

type Outcome = 'accepted' | 'declined' | 'cancelled' | 'missed' | 'hangup' | 'disconnected';

interface CallDoc {
  _id: Types.ObjectId;
  callerId: Types.ObjectId;
  calleeId: Types.ObjectId;
  mode: 'video' | 'audio';
  status: 'ringing' | 'connected' | 'ended';
  outcome?: Outcome;
  ringingAt: Date;
  expiresAt: Date;
  connectedAt?: Date;
  endedAt?: Date;
  durationSec?: number;
  relayOnly?: boolean;
}

export const callView = (c: CallDoc) => ({
  id: String(c._id),
  callerId: String(c.callerId),
  calleeId: String(c.calleeId),
  mode: c.mode,
  status: c.status,
  ...(c.outcome ? { outcome: c.outcome } : {}),
  ringingAt: c.ringingAt,
  ...(c.connectedAt ? { connectedAt: c.connectedAt } : {}),
  ...(c.endedAt ? { endedAt: c.endedAt } : {}),
  ...(c.durationSec !== undefined ? { durationSec: c.durationSec } : {}),
});

const peersOf = (c: CallDoc) => [String(c.callerId), String(c.calleeId)];
const ACTIVE: ('ringing' | 'connected')[] = ['ringing', 'connected'];

/** Calls need an accepted connection and no block, either way (as chat does). */
async function assertMayCall(me: string, them: string): Promise<void> {
  if (me === them) throw new AppError('CANNOT_CALL_SELF', 'You cannot call yourself');
  const [connected, blocked] = await Promise.all([isConnected(me, them), isBlockedEitherWay(me, them)]);
  if (!connected || blocked) throw forbidden('You can call your connections only', 'NOT_CONNECTED');
}

// Ring timers live in the process that placed the call; the conditional update makes a
// late or duplicate expiry harmless, and the clean-up job ends calls whose process died.
const ringTimers = new Map<string, NodeJS.Timeout>();

/**
 * A ringing call whose time is up ends as missed wherever it is met: its timer lived in a
 * process that stopped (a deploy reloads one process at a time), and the hourly clean-up is
 * too late for someone it would keep BUSY.
 */
async function endLapsedRinging(userIds: string[]): Promise<void> {
  const lapsed = await Call.find(
    { memberIds: { $in: userIds.map((id) => new Types.ObjectId(id)) }, status: 'ringing', expiresAt: { $lte: new Date() } },
    { _id: 1 },
  ).lean();
  await Promise.all(lapsed.map((c) => end(c._id, ['ringing'], 'missed')));
}

/** Whether someone has a call ringing or under way (to be rung, they are busy). */
const inACall = async (userId: string) =>
  Boolean(await Call.exists({ memberIds: new Types.ObjectId(userId), status: { $in: ACTIVE } }));

/**
 * The call that keeps someone from calling out: one under way, or one they are ringing. A
 * ring coming in does not (else whoever rings them could keep them from calling anyone).
 */
const ownCallUnderWay = async (userId: string, except?: Types.ObjectId) => {
  const member = new Types.ObjectId(userId);
  const other = except ? { _id: { $ne: except } } : {};
  const [connected, ringing] = await Promise.all([
    Call.findOne({ memberIds: member, status: 'connected', ...other }, { _id: 1 }).lean(),
    // A ring past its time (its timer lost with a restarted process) keeps nobody.
    Call.findOne({ memberIds: member, status: 'ringing', callerId: member, expiresAt: { $gt: new Date() } }, { _id: 1 }).lean(),
  ]);
  return connected ?? ringing;
};

/** The caller's own other call named when known (theirs, so nothing leaks): an app rejoins or ends it. */
export const alreadyInCall = (other?: { _id: Types.ObjectId } | null) =>
  new AppError('ALREADY_IN_CALL', 'End your other call first', other ? { callId: String(other._id) } : undefined);

/** Refuses (ALREADY_IN_CALL) someone with a call under way or ringing out: a random video match would be a second call. */
export async function assertFreeForACall(userId: string): Promise<void> {
  const own = await ownCallUnderWay(userId);
  if (own) throw alreadyInCall(own);
}

/** The first of these people with a call under way (other than `except`) or ringing out, if any. */
export async function firstInACall(userIds: string[], except?: Types.ObjectId): Promise<string | undefined> {
  const calls = await Promise.all(userIds.map((id) => ownCallUnderWay(id, except)));
  return userIds.find((_, i) => calls[i]);
}
const busyError = () => new AppError('BUSY', 'They are in another call');

/** Rings a connection: the callee's sockets get call:incoming; unanswered, it ends as missed. */
export async function ring(me: string, to: string, mode: 'video' | 'audio') {
  if (!Types.ObjectId.isValid(to)) throw notFound('User');
  await assertMayCall(me, to);
  await endLapsedRinging([me, to]);
  // Both sides, each its own indexed read (an $in over members is a full scan on FerretDB).
  const [busy, mine] = await Promise.all([inACall(to), ownCallUnderWay(me)]);
  if (busy) throw busyError();
  if (mine) throw alreadyInCall(mine);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + config.calls.ringTimeoutMs);
  const call = (
    await Call.create({ callerId: me, calleeId: to, memberIds: [me, to], mode, status: 'ringing', ringingAt: now, expiresAt })
  ).toObject() as CallDoc;
  const caller = (await usersById([me])).get(me);
  publishToUsers([to], 'call:incoming', {
    callId: String(call._id),
    mode,
    expiresAt,
    from: caller ? toUserCard(caller) : { id: me },
  });
  const timer = setTimeout(() => {
    ringTimers.delete(String(call._id));
    void end(call._id, ['ringing'], 'missed').catch((err: unknown) =>
      logger.error('ring timeout failed', { error: errorMessage(err) }),
    );
  }, config.calls.ringTimeoutMs);
  timer.unref();
  ringTimers.set(String(call._id), timer);
  return { callId: String(call._id), expiresAt };
}

const LONG_CALL_SEC = 120;
const SHORT_CALL_SEC = 15;

/** Ends a call if it is still in one of `from`: exactly once, whoever gets there first. */
async function end(
  callId: Types.ObjectId | string,
  from: ('ringing' | 'connected')[],
  outcome: Outcome,
): Promise<CallDoc | null> {
  const before = await Call.findOne({ _id: callId, status: { $in: from } }).lean<CallDoc>();
  if (!before) return null;
  const endedAt = new Date();
  const durationSec = before.connectedAt ? Math.round((endedAt.getTime() - before.connectedAt.getTime()) / 1000) : 0;
  const res = await Call.updateOne(
    { _id: callId, status: before.status },
    { $set: { status: 'ended', outcome, endedAt, durationSec } },
  );
  if (res.modifiedCount !== 1) return null;
  clearTimeout(ringTimers.get(String(callId)));
  ringTimers.delete(String(callId));
  const ended = { ...before, status: 'ended' as const, outcome, endedAt, durationSec };
  publishToUsers(peersOf(ended), 'call:ended', { callId: String(callId), reason: outcome, durationSec });
  // After the news: seats not given back (the database away) are taken over, their call ended.
  if (before.status === 'connected') {
    void giveSeatsBack(callId).catch((err: unknown) => logger.warn('call seats not given back', { error: errorMessage(err) }));
  }
  // A connected call's length tells the matcher something of both: a long one is mutual
  // interest, one hung up within seconds the opposite.
  if (before.status === 'connected' && (durationSec >= LONG_CALL_SEC || durationSec < SHORT_CALL_SEC)) {
    noteTaste(before.callerId, before.calleeId, durationSec >= LONG_CALL_SEC ? 'call_long' : 'call_short');
  }
  // Rang and never answered (timed out, given up, or a side went away): the callee missed it.
  if (before.status === 'ringing' && outcome !== 'declined') {
    notifyLater({
      userId: String(before.calleeId),
      type: 'missed_call',
      actorId: String(before.callerId),
      target: { kind: 'call', id: String(callId) },
      groupKey: String(before.callerId),
      data: { mode: before.mode },
    });
  }
  return ended;
}

async function ownCall(me: string, callId: string): Promise<CallDoc> {
  const call = Types.ObjectId.isValid(callId)
    ? await Call.findOne({ _id: callId, memberIds: new Types.ObjectId(me) }).lean<CallDoc>()
    : null;
  if (!call) throw notFound('Call');
  return call;
}

const connectedElsewhere = (userId: Types.ObjectId, callId: Types.ObjectId) =>
  Call.findOne({ memberIds: userId, status: 'connected', _id: { $ne: callId } }, { _id: 1 }).lean();

const notRinging = () => new AppError('CALL_NOT_RINGING', 'This call is no longer ringing');

// An answer in progress holds its seats for well under this; older ones of a call not connected are left over.
const SEAT_LEFT_OVER_MS = 30_000;

/**
 * Takes the seat of one person for a call: false when they hold one for another call that is
 * connected, or being answered right now. A seat left over (its call ended, or never connected
 * and old) is taken over.
 */
async function takeSeat(userId: Types.ObjectId, callId: Types.ObjectId): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await insertedOnce(() => CallSeat.create({ _id: userId, callId, at: new Date() }))) return true;
    const held = await CallSeat.findById(userId).lean();
    if (!held) continue;
    if (held.callId.equals(callId)) return true;
    const heldCall = await Call.findById(held.callId, { status: 1 }).lean();
    // Not yet stored is not left over: a random match takes its seats before it makes its call.
    const old = held.at.getTime() < Date.now() - SEAT_LEFT_OVER_MS;
    const leftOver = heldCall?.status === 'ended' || (heldCall?.status !== 'connected' && old);
    if (!leftOver) return false;
    await CallSeat.deleteOne({ _id: userId, callId: held.callId });
  }
  return false;
}

const giveSeatsBack = (callId: Types.ObjectId | string) => CallSeat.deleteMany({ callId });

/** Seats of a call that failed to connect here, unless another answer connected it (they are its). */
export async function giveSeatsBackUnlessConnected(callId: Types.ObjectId): Promise<void> {
  if (!(await Call.exists({ _id: callId, status: 'connected' }))) await giveSeatsBack(callId);
}

/**
 * Takes each person's seat for a call, in order: all of them, or none (what was taken is given
 * back) and the first whose seat is held for another call.
 */
export async function takeSeats(callId: Types.ObjectId, userIds: (Types.ObjectId | string)[]): Promise<string | undefined> {
  for (const userId of userIds) {
    if (await takeSeat(new Types.ObjectId(userId), callId)) continue;
    await giveSeatsBack(callId);
    return String(userId);
  }
  return undefined;
}

export async function accept(me: string, callId: string) {
  const call = await ownCall(me, callId);
  if (String(call.calleeId) !== me) throw forbidden('Only the person called can answer', 'NOT_CALLEE');
  // Rung twice at once (both rings read "not busy" before either was stored), or either side
  // connected elsewhere since (a random match, another ring answered): one call at a time.
  const [mine, theirs] = await Promise.all([
    connectedElsewhere(call.calleeId, call._id),
    connectedElsewhere(call.callerId, call._id),
  ]);
  if (mine) throw alreadyInCall(mine);
  if (theirs) throw busyError();
  // Reads cannot stop two answers at once: each side's seat is taken first, atomically.
  const seatless = await takeSeats(call._id, [call.calleeId, call.callerId]);
  if (seatless) throw seatless === me ? alreadyInCall() : busyError();
  const connectedAt = new Date();
  const res = await Call.updateOne(
    { _id: call._id, status: 'ringing', expiresAt: { $gt: connectedAt } },
    { $set: { status: 'connected', outcome: 'accepted', connectedAt } },
  );
  if (res.modifiedCount !== 1) {
    // Answered on another device (the seats are that answer's now), or no longer ringing.
    await giveSeatsBackUnlessConnected(call._id);
    await endLapsedRinging([me]);
    throw notRinging();
  }
  clearTimeout(ringTimers.get(callId));
  ringTimers.delete(callId);
  publishToUsers(peersOf(call), 'call:accepted', { callId });
  countLater(() => recordEvent('call', { userId: me }));
  return { callId, connectedAt };
}

export async function decline(me: string, callId: string) {
  const call = await ownCall(me, callId);
  if (String(call.calleeId) !== me) throw forbidden('Only the person called can decline', 'NOT_CALLEE');
  if (!(await end(call._id, ['ringing'], 'declined'))) throw notRinging();
  return { callId };
}

export async function cancel(me: string, callId: string) {
  const call = await ownCall(me, callId);
  if (String(call.callerId) !== me) throw forbidden('Only the caller can cancel', 'NOT_CALLER');
  if (!(await end(call._id, ['ringing'], 'cancelled'))) throw notRinging();
  return { callId };
}

export async function hangup(me: string, callId: string) {
  const call = await ownCall(me, callId);
  const ended = await end(call._id, ['connected'], 'hangup');
  if (!ended) throw new AppError('CALL_NOT_CONNECTED', 'This call is not connected');
  return { callId, durationSec: ended.durationSec };
}

/**
 * The other peer of an active call of the sender, for relaying rtc:* signaling, and whether
 * the call carries relayed candidates only; anyone else (a third user, an ended call) gets
 * 404 and nothing is relayed.
 */
export async function peerFor(me: string, callId: string): Promise<{ peer: string; relayOnly: boolean }> {
  const call = await ownCall(me, callId);
  if (call.status === 'ended') throw notFound('Call');
  return { peer: peersOf(call).find((id) => id !== me)!, relayOnly: call.relayOnly === true };
}

/** The user's last socket is gone: their ringing or connected calls end, and the other side hears it. */
export async function endCallsOf(userId: string): Promise<void> {
  const active = await Call.find({ memberIds: new Types.ObjectId(userId), status: { $in: ACTIVE } }, { _id: 1 }).lean();
  await Promise.all(active.map((c) => end(c._id, ACTIVE, 'disconnected')));
}

/** Calls the clean-up job ends: ringing past their expiry when the process that timed them is gone. */
export async function endStaleRinging(now = new Date()): Promise<number> {
  const stale = await Call.find({ status: 'ringing', expiresAt: { $lt: now } }, { _id: 1 }).lean();
  const ended = await Promise.all(stale.map((c) => end(c._id, ['ringing'], 'missed')));
  return ended.filter(Boolean).length;
}

/**
 * Connected calls whose process died with both members' sockets (a crash: the disconnect
 * handling that ends a call after the reconnect grace ran nowhere). Else they stayed
 * connected for good, their members BUSY and their TURN credentials renewable. A call seen
 * with neither member online is marked; one still so on a later run, well past the grace,
 * ends (a restart, or a Redis that lost its data, can show nobody for a moment). Presence
 * that cannot tell ends none.
 */
export async function endOrphanedCalls(now = new Date()): Promise<number> {
  const grace = Math.max(60_000, 4 * config.chat.reconnectGraceMs);
  const calls = await Call.find(
    { status: 'connected', connectedAt: { $lt: new Date(now.getTime() - grace) } },
    { memberIds: 1, orphanSeenAt: 1 },
  ).lean();
  let ended = 0;
  for (const call of calls) {
    const online = await Promise.all(call.memberIds.map((id) => isOnline(String(id)))).catch((err: unknown) => {
      if (err instanceof PresenceUnavailableError) return null;
      throw err;
    });
    if (!online) return ended;
    if (online.some(Boolean)) {
      if (call.orphanSeenAt) await Call.updateOne({ _id: call._id }, { $unset: { orphanSeenAt: 1 } });
    } else if (!call.orphanSeenAt) {
      await Call.updateOne({ _id: call._id, status: 'connected' }, { $set: { orphanSeenAt: now } });
    } else if (now.getTime() - call.orphanSeenAt.getTime() >= grace && (await end(call._id, ['connected'], 'disconnected'))) {
      ended++;
    }
  }
  return ended;
}

/** One's calls, newest first, by cursor. */
export async function callHistory(me: string, page: { limit: number; cursor?: string }) {
  const calls = await Call.find({
    memberIds: new Types.ObjectId(me),
    ...olderThan(page.cursor),
  })
    .sort({ _id: -1 })
    .limit(page.limit)
    .lean<CallDoc[]>();
  return { calls: calls.map(callView), nextCursor: nextCursorOf(calls, page.limit) };
}

export async function activeCall(me: string) {
  const call = await Call.findOne({ memberIds: new Types.ObjectId(me), status: { $in: ACTIVE } })
    .sort({ _id: -1 })
    .lean<CallDoc>();
  return call ? callView(call) : null;
}

/**
 * STUN servers for anyone; TURN credentials (a relay that carries any traffic, paid for by
 * its bytes) only for a call the caller is in: connected, or ringing them (the callee sets
 * up before answering; the caller only once answered), so an account is no free relay by
 * ringing and cancelling. coturn's REST scheme: the username is `expiry:userId`, the
 * password the base64 HMAC-SHA1 of it under the shared secret. A random match's call is
 * relayed only (iceTransportPolicy 'relay'): neither stranger learns the other's address.
 */
export async function iceServersFor(userId: string, callId?: string) {
  const call =
    callId === undefined
      ? null
      : await Call.findOne(
          { _id: callId, memberIds: new Types.ObjectId(userId) },
          { calleeId: 1, status: 1, expiresAt: 1, relayOnly: 1 },
        ).lean();
  const inCall =
    call?.status === 'connected' ||
    (call?.status === 'ringing' && String(call.calleeId) === userId && call.expiresAt > new Date());
  // Relay-only whatever the call's state: a client setting up as the call ends is still a stranger's peer.
  const iceTransportPolicy: 'relay' | 'all' = call?.relayOnly ? 'relay' : 'all';
  return { ...iceServers(userId, inCall), iceTransportPolicy };
}

/** Whether calls can be relayed: a random video match cannot happen without it. */
export const relayConfigured = (): boolean =>
  config.calls.turnUrls.length > 0 && Boolean(config.calls.turnSecret) && config.calls.turnRelayIps.length > 0;

/** The addresses our TURN servers relay from: a relay-only call's candidates must point there. */
export const relayAddresses = (): readonly string[] => config.calls.turnRelayIps;

function iceServers(userId: string, withTurn: boolean, now = Date.now()) {
  const servers: { urls: string[]; username?: string; credential?: string }[] = [{ urls: config.calls.stunUrls }];
  const { turnUrls, turnSecret, turnTtlSeconds } = config.calls;
  if (withTurn && turnUrls.length && turnSecret) {
    const username = `${Math.floor(now / 1000) + turnTtlSeconds}:${userId}`;
    const credential = createHmac('sha1', turnSecret).update(username).digest('base64');
    servers.push({ urls: turnUrls, username, credential });
  }
  return { iceServers: servers, ttlSeconds: turnTtlSeconds };
}

/** The video call of an accepted match (its seats taken): connected at once, the two already agreed. */
export async function startMatchCall(a: string, b: string, callId: Types.ObjectId): Promise<Types.ObjectId> {
  const at = new Date();
  const call = await Call.create({
    _id: callId,
    callerId: a,
    calleeId: b,
    memberIds: [a, b],
    mode: 'video',
    status: 'connected',
    outcome: 'accepted',
    ringingAt: at,
    expiresAt: at,
    connectedAt: at,
    relayOnly: true,
  });
  return call._id;
}

/** A block, a report or an unfriending by `a` ends any ringing or connected call between the two, for both. */
export async function endCallsBetween(a: string, b: string): Promise<void> {
  const calls = await Call.find(
    { memberIds: new Types.ObjectId(a), status: { $in: ACTIVE } },
    { callerId: 1, calleeId: 1, status: 1 },
  ).lean<CallDoc[]>();
  // Ended as `a` ending it by hand would: a ringing call declined (a the callee) or given up
  // (a the caller), a connected one hung up. Anything else would tell b of a block or a report.
  const asIfByHand = (c: CallDoc): Outcome =>
    c.status !== 'ringing' ? 'hangup' : String(c.calleeId) === a ? 'declined' : 'cancelled';
  await Promise.all(
    calls
      .filter((c) => peersOf(c).includes(b))
      // Answered in between: then it is hung up.
      .map(async (c) => (await end(c._id, ['ringing'], asIfByHand(c))) ?? (await end(c._id, ['connected'], 'hangup'))),
  );
}
