import { Notification } from '../../models/notification.model.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { announceNotice } from './notification.service.js';

/** A notice is announced within a second; one still marked after this was left by a failure or a crash. */
const LEFT_AFTER_MS = 60_000;
/** News this late is not pushed or mailed: the notice just stays in the list (and the count). */
const STALE_AFTER_MS = 60 * 60_000;
/** How many one run takes: the next run takes the rest. */
const BATCH = 200;

/**
 * Makes the "new" announcements (count, devices, inbox) that a failure or a process going down
 * left unmade, once each across processes: each notice is claimed (its mark cleared) before it
 * is announced. Returns how many were announced.
 */
export async function announceLeftNotices(now = new Date()): Promise<number> {
  const left = await Notification.find(
    { announcePending: true, createdAt: { $lt: new Date(now.getTime() - LEFT_AFTER_MS) } },
    { _id: 1, userId: 1, readAt: 1, createdAt: 1 },
  )
    .sort({ createdAt: 1 })
    .limit(BATCH)
    .lean();
  let announced = 0;
  for (const notice of left) {
    const claimed = await Notification.updateOne({ _id: notice._id, announcePending: true }, { $unset: { announcePending: 1 } });
    if (claimed.modifiedCount !== 1) continue;
    if (notice.readAt || notice.createdAt.getTime() < now.getTime() - STALE_AFTER_MS) continue;
    try {
      await announceNotice(String(notice.userId), notice._id, true);
      announced += 1;
    } catch (err) {
      logger.warn('a left notification announcement failed', { notificationId: String(notice._id), error: errorMessage(err) });
    }
  }
  return announced;
}
