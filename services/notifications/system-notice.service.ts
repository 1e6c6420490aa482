import { audit, byStaff, type StaffActor } from '../audit.service.js';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import mongoose, { Types } from 'mongoose';
import { Notification } from '../../models/notification.model.js';
import { SystemNotice, type SystemNoticeDoc } from '../../models/system-notice.model.js';
import { User } from '../../models/user.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { nextCursorOf, olderThan } from '../page-cursor.js';
import { announceNotice } from './notification.service.js';

export type Segment =
  | { kind: 'everyone' }
  | { kind: 'plan'; plan: 'free' | 'gold' | 'premium' }
  | { kind: 'country'; country: string }
  | { kind: 'inactive'; inactiveDays: number };

const BATCH = 500;
const ANNOUNCE_AT_ONCE = 20;
const LEASE_MS = 2 * 60_000;
const me = `${hostname()}:${process.pid}`;
// A fresh token per claim fences a walker that lost its lease, even against a later claim
// by the same process.
const claimToken = () => `${me}:${randomBytes(6).toString('hex')}`;
// One walk per process at a time: a cron tick while the last is still sending does nothing.
let walking = false;

export const systemNoticeView = (n: SystemNoticeDoc) => ({
  id: String(n._id),
  text: n.text,
  translations: Object.fromEntries(Object.entries(n.translations ?? {}).filter(([, v]) => typeof v === 'string')),
  segment: Object.fromEntries(Object.entries(n.segment ?? {}).filter(([, v]) => v !== undefined && v !== null)),
  sendAt: n.sendAt,
  status: n.status,
  delivered: n.delivered,
  sentAt: n.sentAt ?? null,
  createdAt: n.createdAt,
});

export async function scheduleSystemNotice(
  admin: StaffActor,
  input: { text: string; translations?: { es?: string }; segment: Segment; sendAt: Date },
) {
  const created = await SystemNotice.create({ ...input, createdBy: admin.id });
  const view = systemNoticeView(created.toObject() as SystemNoticeDoc);
  await audit({
    action: 'admin.notice_scheduled',
    ...byStaff(admin),
    target: { type: 'notice', id: view.id },
    after: { text: view.text, segment: view.segment, sendAt: view.sendAt },
  });
  return view;
}

export async function listSystemNotices(page: { limit: number; cursor?: string }) {
  const notices = await SystemNotice.find(olderThan(page.cursor)).sort({ _id: -1 }).limit(page.limit).lean<SystemNoticeDoc[]>();
  return { notices: notices.map(systemNoticeView), nextCursor: nextCursorOf(notices, page.limit) };
}

/** Cancels a notice not yet begun; one being sent or sent is past cancelling. */
export async function cancelSystemNotice(admin: StaffActor, id: string) {
  const res = await SystemNotice.updateOne({ _id: id, status: 'scheduled' }, { $set: { status: 'cancelled' } });
  if (res.matchedCount === 0) {
    if (!(await SystemNotice.exists({ _id: id }))) throw notFound('Notice');
    throw new AppError('NOTICE_NOT_CANCELLABLE', 'This notice is being sent or was sent');
  }
  await audit({
    action: 'admin.notice_cancelled',
    ...byStaff(admin),
    target: { type: 'notice', id },
    before: { status: 'scheduled' },
    after: { status: 'cancelled' },
  });
}

/** Who a segment holds: never banned people. */
function segmentFilter(segment: SystemNoticeDoc['segment'], now: Date): Record<string, unknown> {
  const base = { bannedAt: null };
  switch (segment?.kind) {
    case 'plan':
      return { ...base, plan: segment.plan };
    case 'country':
      return { ...base, country: segment.country };
    case 'inactive': {
      const since = new Date(now.getTime() - (segment.inactiveDays ?? 0) * 86_400_000);
      return { ...base, $or: [{ lastActiveAt: { $lt: since } }, { lastActiveAt: null }] };
    }
    default:
      return base;
  }
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachAtMost<T>(limit: number, items: T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Inserts what is not there yet (a unique key per person); the indexes of those inserted. */
async function insertNew(docs: object[]): Promise<number[]> {
  try {
    const res = await Notification.collection.insertMany(docs, { ordered: false });
    return Object.keys(res.insertedIds).map(Number);
  } catch (err) {
    // Some were there already (a take-over re-sending its predecessor's last batch): the rest went in.
    if (!(err instanceof mongoose.mongo.MongoBulkWriteError)) throw err;
    const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
    if (errors.some((e) => e.code !== 11000)) throw err;
    return Object.keys(err.insertedIds).map(Number);
  }
}

/**
 * Walks a claimed notice's segment from where it was left, a batch at a time, keeping its
 * place and count while it still holds the lease; a lost lease means another process took
 * over (this one was too slow), and it stops.
 */
async function send(notice: SystemNoticeDoc, owner: string): Promise<number> {
  const filter = segmentFilter(notice.segment, notice.sendAt);
  let after = notice.after;
  let told = 0;
  for (;;) {
    const people = await User.find({ ...filter, ...(after && { _id: { $gt: after } }) }, { _id: 1 })
      .sort({ _id: 1 })
      .limit(BATCH)
      .lean();
    if (people.length === 0) break;
    const docs = people.map((p) => ({
      _id: new Types.ObjectId(),
      userId: p._id,
      type: 'system',
      data: { text: notice.text, ...(notice.translations?.es && { text_es: notice.translations.es }) },
      actorIds: [],
      actorCount: 0,
      lastActorId: null,
      at: new Types.ObjectId(),
      readAt: null,
      sourceKey: `${String(notice._id)}:${String(p._id)}`,
      createdAt: new Date(),
      updatedAt: new Date(),
    }));
    const inserted = await insertNew(docs);
    // Each person hears it as any new notice: live, their count, their devices and inbox as chosen.
    await eachAtMost(ANNOUNCE_AT_ONCE, inserted, (i) =>
      announceNotice(String(docs[i]!.userId), docs[i]!._id, true).catch((err: unknown) =>
        logger.warn('system notice not announced', { error: errorMessage(err) }),
      ),
    );
    after = people.at(-1)!._id;
    told += inserted.length;
    // Progress (the place, a running count) kept only while this claim still holds the lease.
    const kept = await SystemNotice.updateOne(
      { _id: notice._id, owner },
      { $set: { after, leaseUntil: new Date(Date.now() + LEASE_MS) }, $inc: { delivered: inserted.length } },
    );
    if (kept.matchedCount === 0) return told;
  }
  // The final count from what is stored: a take-over's re-sent batch is neither lost nor counted twice.
  const delivered = await Notification.countDocuments({ sourceKey: { $regex: `^${String(notice._id)}:` } });
  await SystemNotice.updateOne(
    { _id: notice._id, owner },
    { $set: { status: 'sent', sentAt: new Date(), leaseUntil: null, delivered } },
  );
  logger.info('system notice sent', { noticeId: String(notice._id), told });
  return told;
}

/**
 * Sends every notice that is due, each once across processes and restarts: a process claims
 * one (due and scheduled, or sending under a lapsed lease) with a conditional write and a
 * token of its own, and the unique key per person and notice keeps a take-over from telling
 * anyone twice.
 */
export async function sendDueSystemNotices(now = new Date()): Promise<number> {
  if (walking) return 0;
  walking = true;
  let told = 0;
  try {
    for (;;) {
      const owner = claimToken();
      const claimed = await SystemNotice.findOneAndUpdate(
        {
          $or: [
            { status: 'scheduled', sendAt: { $lte: now } },
            { status: 'sending', leaseUntil: { $lt: new Date() } },
          ],
        },
        { $set: { status: 'sending', owner, leaseUntil: new Date(Date.now() + LEASE_MS) } },
        // No projection: FerretDB's findAndModify takes none.
        { returnDocument: 'after' },
      ).lean<SystemNoticeDoc>();
      if (!claimed) return told;
      told += await send(claimed, owner);
    }
  } finally {
    walking = false;
  }
}
