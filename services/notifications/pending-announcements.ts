import { Notification } from '../../models/notification.model.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { announceNotice, claimAnnouncement } from './notification.service.js';

/** A notice is told within a second; one still marked after this was left by a failure or a crash. */
const LEFT_AFTER_MS = 60_000;
/**
 * News this late is not pushed or mailed (a match offered, a call missed, a like: all stale
 * by then): the mark goes, the notice stays in the list and the count.
 */
const STALE_AFTER_MS = 10 * 60_000;
/** How many one run tells: the next run takes the rest. */
const BATCH = 200;

let walking = false;

/**
 * Tells the new notices (count, devices, inbox) that a failure or a process going down left
 * untold, each once across processes: a marked notice is told only by the run that turns its
 * mark off (claimAnnouncement). Returns how many were told.
 */
export async function announceLeftNotices(now = new Date()): Promise<number> {
  if (walking) return 0;
  walking = true;
  try {
    const stale = await Notification.updateMany(
      { announcePending: true, createdAt: { $lt: new Date(now.getTime() - STALE_AFTER_MS) } },
      { $set: { announcePending: false } },
    );
    if (stale.modifiedCount) logger.warn('new notices left untold too long, kept untold', { notices: stale.modifiedCount });
    const left = await Notification.find(
      { announcePending: true, createdAt: { $lt: new Date(now.getTime() - LEFT_AFTER_MS) } },
      { _id: 1, userId: 1, readAt: 1 },
    )
      .limit(BATCH)
      .lean();
    let told = 0;
    for (const notice of left) {
      // Claimed before its reads, so processes running this job at once read each notice in one
      // of them only (a failure after it loses the notice: this is the path for those already).
      // One read meanwhile is no news.
      if (!(await claimAnnouncement(notice._id)) || notice.readAt) continue;
      try {
        if (await announceNotice(String(notice.userId), notice._id, true, { claimed: true })) told += 1;
      } catch (err) {
        logger.warn('a left notification announcement failed', { notificationId: String(notice._id), error: errorMessage(err) });
      }
    }
    return told;
  } finally {
    walking = false;
  }
}
