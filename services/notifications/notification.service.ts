import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { NotificationMark } from '../../models/notification-mark.model.js';
import { ACTORS_KEPT, Notification, type NotificationDoc, type NotificationType } from '../../models/notification.model.js';
import { notFound } from '../../utils/app-error.js';
import { insertedOnce, isDuplicateKey } from '../../utils/duplicate-key.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { perKeyThrottle } from '../../utils/per-key-throttle.js';
import { hiddenUserIds, isBlockedEitherWay } from '../people/block.service.js';
import { usersById } from '../people/user.service.js';
import { publishToUser } from '../realtime.service.js';
import { User } from '../../models/user.model.js';
import { isSwitchedOff } from './preferences.service.js';
import { deliverBeyondApp, readRecipientChoices } from './channels.js';
import { notificationText } from './templates.js';

/**
 * Notices of these kinds about one target gather while unread: "Ana and 4 others liked your
 * post". Missed calls gather per caller: ringing and hanging up again is no new notice, and no
 * new push, until the first is read.
 */
const GROUPED: ReadonlySet<NotificationType> = new Set(['like', 'comment', 'reply', 'share', 'message', 'missed_call']);

export type TargetKind = 'post' | 'comment' | 'user' | 'connection' | 'conversation' | 'match' | 'call' | 'payment';

export interface NoticeInput {
  userId: string;
  type: NotificationType;
  /** Who caused it; none for system notices. Nobody hears of their own acts, or of a blocked person's. */
  actorId?: string;
  target?: { kind: TargetKind; id: string };
  data?: Record<string, string>;
  /**
   * Tell this person of this actor's act on this (a post) once only: a like undone and done
   * again, or a mention in one more comment, is not news twice.
   */
  once?: string;
  /** What a grouped kind gathers by, when not its target (a missed call: its caller). */
  groupKey?: string;
}

/** A notice names its latest actor and counts the rest; these few are looked up. */
const RECENT_READ = 5;
/** What a notice's view reads. */
export const NOTICE_FIELDS = 'type actorIds actorCount lastActorId target data at readAt createdAt';

/** A notice as its owner reads it: the text from its template, the latest actor first. */
export interface NotificationView {
  id: string;
  type: NotificationType;
  text: string;
  actor: { id: string; username: string; firstName: string } | null;
  actorCount: number;
  /** What it is about; a comment's notice names its post too, so the app can open it. */
  target: { kind: string; id: string; postId?: string } | null;
  read: boolean;
  createdAt: Date;
  /** The latest activity: a grouped notice moves up when someone else joins it. */
  updatedAt: Date;
}

/** Notices as their owner reads them (the digest mails them the same way). */
export async function views(ownerId: string, docs: NotificationDoc[]): Promise<NotificationView[]> {
  const [hiddenIds, owner] = await Promise.all([hiddenUserIds(ownerId), User.findById(ownerId, { language: 1 }).lean()]);
  const hidden = new Set(hiddenIds.map(String));
  const language = owner?.language ?? undefined;
  // The latest actor of each names it; only where that one is gone are the few before looked up.
  const people = await usersById([...new Set(docs.flatMap((d) => (d.lastActorId ? [String(d.lastActorId)] : [])))]);
  const unnamed = docs.filter((d) => d.lastActorId && (hidden.has(String(d.lastActorId)) || !people.has(String(d.lastActorId))));
  const earlier = await usersById([...new Set(unnamed.flatMap((d) => d.actorIds.slice(-RECENT_READ).map(String)))]);
  for (const [id, person] of earlier) people.set(id, person);
  const shown: NotificationView[] = [];
  for (const d of docs) {
    // Blocked people left the notice when blocked; banned ones (and any blocked since) drop
    // out here. A notice left with nobody is not shown.
    const named = (id: string) => !hidden.has(id) && people.has(id);
    const lastId = d.lastActorId ? String(d.lastActorId) : null;
    const recent = d.actorIds.slice(-RECENT_READ).map(String);
    const gone = lastId && !named(lastId) ? recent.filter((id) => !named(id)).length : 0;
    const latestId = !lastId ? undefined : named(lastId) ? lastId : recent.filter(named).at(-1);
    const actorCount = Math.max(latestId ? 1 : 0, (d.actorCount ?? 0) - gone);
    if (lastId && actorCount === 0) continue;
    const latest = latestId ? people.get(latestId) : undefined;
    // lean() reads the Map as a plain object; a document gives a Map.
    const data: Record<string, string> =
      d.data instanceof Map ? Object.fromEntries(d.data) : ((d.data as Record<string, string> | undefined) ?? {});
    shown.push({
      id: String(d._id),
      type: d.type,
      text: notificationText(d.type, { name: latest?.firstName ?? null, others: Math.max(0, actorCount - 1) }, data, language),
      actor: latest ? { id: latestId!, username: latest.username, firstName: latest.firstName } : null,
      actorCount,
      target:
        d.target?.kind && d.target.id
          ? { kind: d.target.kind, id: String(d.target.id), ...(data.postId && { postId: data.postId }) }
          : null,
      read: Boolean(d.readAt),
      createdAt: d.createdAt,
      updatedAt: d.at.getTimestamp(),
    });
  }
  return shown;
}

export async function unreadCount(userId: string): Promise<number> {
  return Notification.countDocuments({ userId, readAt: null });
}

async function pushCount(userId: string): Promise<void> {
  publishToUser(userId, 'notification:count', { unread: await unreadCount(userId) });
}

/** A grouped notice's pushes fold to one a second: its author hears a viral post, not each like. */
const throttle = perKeyThrottle(1000);

/**
 * Tells a notice's owner of it: live on their sockets, the unread count when it is new, and
 * (new only: not each time someone joins a group) their devices and inbox as they chose.
 * False when there was nothing to tell, or another run tells it.
 */
export async function announceNotice(
  userId: string,
  id: Types.ObjectId,
  isNew: boolean,
  // The notices job turns the mark off before telling (claimAnnouncement): it tells this one.
  { claimed = false } = {},
): Promise<boolean> {
  // The person's choices are read (done, beside the notice's own read) before the live notice
  // goes out: readRecipientChoices says why.
  const [doc, choices] = await Promise.all([
    Notification.findById(id, `${NOTICE_FIELDS} announcePending`).lean<NotificationDoc>(),
    isNew ? readRecipientChoices(userId) : undefined,
  ]);
  const [view] = doc ? await views(userId, [doc]) : [];
  // A new notice is marked until told; whoever turns the mark off tells it (this run, or the
  // notices job for one a failure or a crash left), never both: a mark already off means told.
  // Turned off after the reads, so a failed read leaves it for the job; a failure after it
  // loses what was not sent yet. Notices outside the outbox (no mark) are told as they come.
  if (isNew && !claimed && doc && doc.announcePending != null && !(await claimAnnouncement(id))) return false;
  if (view) publishToUser(userId, 'notification:new', view);
  if (isNew) await pushCount(userId);
  if (view && choices) await deliverBeyondApp(userId, view, choices);
  return Boolean(view) || isNew;
}

/** Turns a new notice's mark off; true for the one run that did, which tells it. */
export async function claimAnnouncement(id: Types.ObjectId): Promise<boolean> {
  const turned = await Notification.updateOne({ _id: id, announcePending: true }, { $set: { announcePending: false } });
  return turned.modifiedCount === 1;
}

/** Notices whose "new" announcement (count, devices, inbox) is owed by the next run of their throttled push. */
const owedAsNew = new Set<string>();

/**
 * Announces a notice, folded by the throttle. Racing acts may report it out of order (a join
 * before the act that started it): whichever run comes next owes the "new" announcement, so
 * a folded call cannot drop it, and it is made once.
 */
export function pushNotice(userId: string, id: Types.ObjectId, isNew: boolean): void {
  const key = String(id);
  if (isNew) owedAsNew.add(key);
  throttle(key, () => {
    announceNotice(userId, id, owedAsNew.delete(key)).catch((err: unknown) =>
      logger.warn('notification push failed', { error: errorMessage(err) }),
    );
  });
}

/**
 * Gathers an actor into the open group, or starts it; returns the notice (none when nothing
 * changed) and whether it is new. A race of two starts becomes one.
 */
async function gather(openKey: string, fields: object, at: Types.ObjectId, actorId: string | undefined) {
  const moved = { at, ...(actorId && { lastActorId: actorId }) };
  const actor = actorId ? new Types.ObjectId(actorId) : undefined;
  const joins = {
    $set: moved,
    ...(actor && { $push: { actorIds: actor }, $inc: { actorCount: 1 } }),
  };
  const notIn = { openKey, ...(actor && { actorIds: { $ne: actor } }) };
  let changed = true;
  try {
    const started = await Notification.updateOne(notIn, { ...joins, $setOnInsert: fields }, { upsert: true });
    // Its own id: a read of the open key could find a group someone else started since.
    if (started.upsertedCount === 1) return { id: started.upsertedId as Types.ObjectId, isNew: true };
  } catch (err) {
    // The group exists: the actor joins it, or was in it already and changes nothing (an
    // actor repeating themselves must not keep a notice on top, or pushing).
    if (!isDuplicateKey(err)) throw err;
    changed = (await Notification.updateOne(notIn, joins)).matchedCount === 1;
  }
  if (!changed) return { id: undefined, isNew: false };
  // The group joined, not one someone else started since it was read (and lost its key).
  const doc = await Notification.findOne({ openKey, ...(actor && { actorIds: actor }) }, { _id: 1, actorCount: 1 }).lean();
  // Past the cap the oldest actor goes ($push's $slice would do it, but FerretDB ignores it).
  if (doc && doc.actorCount > ACTORS_KEPT) {
    await Notification.updateOne({ _id: doc._id, [`actorIds.${ACTORS_KEPT}`]: { $exists: true } }, { $pop: { actorIds: -1 } });
  }
  return { id: doc?._id, isNew: false };
}

/**
 * Tells someone what happened: stored, then pushed to their sockets (`notification:new`
 * with the notice, `notification:count` with the unread count when it changed). Failures are
 * the caller's to log: a notice never undoes the act it reports. True when a notice was
 * stored (new, or a group the actor joined): what a caller's own live event may follow.
 */
export async function notify(input: NoticeInput): Promise<boolean> {
  const { userId, type, actorId, target, data } = input;
  if (actorId && (actorId === userId || (await isBlockedEitherWay(actorId, userId)))) return false;
  if (await isSwitchedOff(userId, type, 'inApp')) return false;
  if (input.once && actorId) {
    const mark = { _id: `${userId}:${type}:${actorId}:${input.once}`, at: new Date() };
    if (!(await insertedOnce(() => NotificationMark.create(mark)))) return false;
  }
  const at = new Types.ObjectId();
  const fields = {
    userId: new Types.ObjectId(userId),
    type,
    ...(target && { target: { kind: target.kind, id: new Types.ObjectId(target.id) } }),
    ...(data && { data }),
    // Only a notice that starts has it ($setOnInsert): turned off by the run that tells it.
    announcePending: true,
  };
  const { id, isNew } =
    GROUPED.has(type) && target
      ? await gather(`${userId}:${type}:${input.groupKey ?? target.id}`, fields, at, actorId)
      : {
          id: (
            await Notification.create({
              ...fields,
              at,
              actorIds: actorId ? [actorId] : [],
              actorCount: actorId ? 1 : 0,
              lastActorId: actorId ?? null,
            })
          )._id,
          isNew: true,
        };
  if (id) pushNotice(userId, id, isNew);
  return id !== undefined;
}

/** notify() for callers that must not wait or fail because of it. */
export function notifyLater(input: NoticeInput): void {
  void notify(input).catch((err: unknown) => logger.warn('notification failed', { type: input.type, error: errorMessage(err) }));
}

/** Someone's notices, newest activity first, by cursor (the last one's position). */
export async function listNotifications(userId: string, page: { limit: number; cursor?: string }) {
  const docs = await Notification.find(
    { userId, ...(page.cursor && { at: { $lt: new Types.ObjectId(page.cursor) } }) },
    NOTICE_FIELDS,
  )
    .sort({ at: -1 })
    .limit(page.limit)
    .lean<NotificationDoc[]>();
  return {
    items: await views(userId, docs),
    nextCursor: docs.length === page.limit ? String(docs.at(-1)!.at) : null,
    unread: await unreadCount(userId),
  };
}

/** Marks one read; the next like of the same post starts a new notice. */
export async function markRead(userId: string, id: string): Promise<NotificationView> {
  const doc = await Notification.findOneAndUpdate(
    { _id: id, userId },
    { $set: { readAt: new Date() }, $unset: { openKey: 1 } },
    // No projection: FerretDB's findAndModify takes none.
    { returnDocument: 'after' },
  ).lean<NotificationDoc>();
  if (!doc) throw notFound('Notification');
  await pushCount(userId);
  const [view] = await views(userId, [doc]);
  if (!view) throw notFound('Notification');
  return view;
}

/** Marks read one's unread notices of a type about one target (a conversation one has read). */
export async function markTargetRead(userId: string, type: NotificationType, targetId: string): Promise<void> {
  const res = await Notification.updateMany(
    { userId, readAt: null, type, 'target.id': new Types.ObjectId(targetId) },
    { $set: { readAt: new Date() }, $unset: { openKey: 1 } },
  );
  if (res.modifiedCount > 0) await pushCount(userId);
}

export async function markAllRead(userId: string): Promise<{ unread: number }> {
  await Notification.updateMany({ userId, readAt: null }, { $set: { readAt: new Date() }, $unset: { openKey: 1 } });
  await pushCount(userId);
  return { unread: 0 };
}

export async function deleteNotification(userId: string, id: string): Promise<void> {
  const gone = await Notification.deleteOne({ _id: id, userId });
  if (gone.deletedCount === 0) throw notFound('Notification');
  await pushCount(userId);
}

/** A block: each of the two drops out of the other's notices, and notices left with nobody go. */
export async function forgetNotificationsBetween(a: string, b: string): Promise<void> {
  for (const [owner, other] of [
    [a, b],
    [b, a],
  ] as const) {
    await Notification.updateMany(
      { userId: owner, actorIds: other },
      { $pull: { actorIds: new Types.ObjectId(other) }, $inc: { actorCount: -1 } },
    );
    await Notification.deleteMany({ userId: owner, lastActorId: { $ne: null }, actorCount: { $lte: 0 } });
  }
}

/** The clean-up job's part: read notices past their retention, any past the longer one, and old marks. */
export async function deleteOldNotifications(now = new Date()): Promise<number> {
  const { readRetentionMs, retentionMs } = config.notifications;
  const readBefore = new Date(now.getTime() - readRetentionMs);
  const before = new Date(now.getTime() - retentionMs);
  const [read, old, marks] = await Promise.all([
    Notification.deleteMany({ readAt: { $ne: null, $lt: readBefore } }),
    Notification.deleteMany({ at: { $lt: Types.ObjectId.createFromTime(Math.floor(before.getTime() / 1000)) } }),
    NotificationMark.deleteMany({ at: { $lt: before } }),
  ]);
  return read.deletedCount + old.deletedCount + marks.deletedCount;
}
