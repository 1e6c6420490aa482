import { config } from '../../config/index.js';
import { MessageNoticeCheck } from '../../models/message-notice-check.model.js';
import { unreadSendersIn } from '../chat/conversation.service.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { perKeyThrottle } from '../../utils/per-key-throttle.js';
import { repeatWithoutOverlap } from '../../utils/repeat.js';
import { isOnline } from '../presence/presence.service.js';
import { PresenceUnavailableError } from '../presence/presence.store.js';
import { notify } from './notification.service.js';

// Conversations this process knows have a check stored, until when: later messages in the
// grace period write nothing (a message's cost stays one write per grace period at most).
const known = new Map<string, number>();
const MAX_KNOWN = 100_000;
// How long a claimed check is its process's: one that dies leaves it to the next after this.
const LEASE_MS = 60_000;
const CHECKS_PER_TICK = 200;
// Said once a minute while presence cannot tell (Redis away): every due check waits meanwhile.
const sayPostponed = perKeyThrottle(60_000);

let stopTicker: (() => void) | undefined;

/**
 * A message is news to a member who is still offline, has not read it and has not muted the
 * conversation when the grace period ends: then one notice per conversation, gathering its
 * senders while unread ("Ana and 2 others sent you a message"), never the text. The check is
 * stored (one per conversation, whatever its size), so a restart loses none, and any
 * process running the checker (server.ts starts one in each) makes it.
 */
export function tellOfflineMembersLater(conversationId: string, memberIds: string[], senderId: string): void {
  if (!memberIds.some((id) => id !== senderId)) return;
  const now = Date.now();
  if ((known.get(conversationId) ?? 0) > now) return;
  if (known.size >= MAX_KNOWN) {
    for (const [id, until] of known) if (until <= now) known.delete(id);
    if (known.size >= MAX_KNOWN) known.clear();
  }
  known.set(conversationId, now + config.notifications.messageGraceMs);
  MessageNoticeCheck.updateOne(
    { _id: conversationId },
    {
      $setOnInsert: { dueAt: new Date(now + config.notifications.messageGraceMs), claimedUntil: null },
      $max: { lastAt: new Date(now) },
    },
    { upsert: true },
  )
    .exec()
    .catch((err: unknown) => logger.warn('message notice check not stored', { conversationId, error: errorMessage(err) }));
}

/**
 * The members with no socket anywhere; null when presence cannot tell (Redis away or in
 * doubt), before anyone is told: the whole check waits. A member whose count failed
 * otherwise is passed over, as a failed notice is.
 */
async function membersAway(memberIds: string[], conversationId: string): Promise<string[] | null> {
  const away: string[] = [];
  for (const userId of memberIds) {
    try {
      if (!(await isOnline(userId))) away.push(userId);
    } catch (err) {
      if (err instanceof PresenceUnavailableError) return null;
      logger.warn('message notice failed', { conversationId, error: errorMessage(err) });
    }
  }
  return away;
}

/** Claims one due check (a lapsed lease counts as free); null when none is due. */
function claimDue(now: Date, claimAt: Date) {
  return MessageNoticeCheck.findOneAndUpdate(
    { dueAt: { $lte: now }, $or: [{ claimedUntil: null }, { claimedUntil: { $lt: claimAt } }] },
    // The lease's end, to the millisecond, is this claim's token.
    { $set: { claimedUntil: new Date(claimAt.getTime() + LEASE_MS + Math.floor(Math.random() * 1000)) } },
    { returnDocument: 'after' },
  ).lean();
}

/**
 * Runs the checks that are due: each member of each conversation is looked at once. The
 * check goes when done, unless a message came meanwhile: then it is due again a grace
 * period after that message.
 */
export async function runDueMessageNoticeChecks(now = new Date()): Promise<number> {
  let done = 0;
  for (let i = 0; i < CHECKS_PER_TICK; i++) {
    // Due as of `now`; the lease runs from the claim itself (a long tick must not hand out lapsed ones).
    const check = await claimDue(now, new Date());
    if (!check) break;
    const conversationId = String(check._id);
    const mine = { _id: check._id, claimedUntil: check.claimedUntil };
    // Presence is asked only of members with something unread to be told of.
    const unread = await unreadSendersIn(conversationId);
    const away = await membersAway([...unread.keys()], conversationId);
    if (!away) {
      // Nobody told: due again a grace period on (a second at least: never again in this tick),
      // when presence may tell; not dropped, not sent to everyone.
      const dueAt = new Date(Date.now() + Math.max(config.notifications.messageGraceMs, 1000));
      await MessageNoticeCheck.updateOne(mine, { $set: { dueAt, claimedUntil: null } });
      sayPostponed('presence', () => logger.warn('message notices postponed: presence cannot tell who is online'));
      done++;
      continue;
    }
    for (const userId of away) {
      const target = { kind: 'conversation' as const, id: conversationId };
      await notify({ userId, type: 'message', actorId: unread.get(userId)!, target }).catch((err: unknown) =>
        logger.warn('message notice failed', { conversationId, error: errorMessage(err) }),
      );
    }
    const gone = await MessageNoticeCheck.deleteOne({ ...mine, lastAt: check.lastAt });
    if (gone.deletedCount === 0) {
      const later = await MessageNoticeCheck.findOne(mine).lean();
      if (later) {
        const dueAt = new Date(later.lastAt.getTime() + config.notifications.messageGraceMs);
        await MessageNoticeCheck.updateOne(mine, { $set: { dueAt, claimedUntil: null } });
      }
    }
    done++;
  }
  return done;
}

/** Starts this process's checker (once): every half grace period, at most every 5 s. */
export function startMessageNoticeChecks(): void {
  if (stopTicker) return;
  const every = Math.min(5000, Math.max(100, config.notifications.messageGraceMs / 2));
  stopTicker = repeatWithoutOverlap(every, 'message notice checks', runDueMessageNoticeChecks);
}

export function stopMessageNoticeChecks(): void {
  stopTicker?.();
  stopTicker = undefined;
}
