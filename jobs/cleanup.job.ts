import { deleteExpiredAccountTokens } from '../services/auth/account-token.service.js';
import { endOrphanedCalls, endStaleRinging } from '../services/match/call.service.js';
import { expireStaleMatches } from '../services/match/match.service.js';
import { deleteOldQuotaCounters } from '../services/connections/quota.service.js';
import { deleteOldPostChanges } from '../services/feeds/fanout.js';
import { deleteExpiredFeedSessions } from '../services/feeds/for-you.service.js';
import { deleteOldHourStats } from '../services/feeds/signals.service.js';
import { deleteExpiredOAuthRecords } from '../services/auth/oauth/oauth.service.js';
import { deleteExpiredSessions } from '../services/auth/session.service.js';
import { deleteOldNotifications } from '../services/notifications/notification.service.js';
import { deleteLapsedActivityMarks } from '../services/analytics/record.js';
import type { StorageProvider } from '../services/storage/storage.provider.js';
import { errorMessage, logger } from '../utils/logger.js';
import { scheduleJob } from './schedule.js';

// A direct upload ticket is good for an hour; its upload is confirmed at once in practice.
const UNCONFIRMED_UPLOAD_MS = 2 * 3_600_000;

/**
 * Deletes expired sessions and tokens, past days' quota counters and old notices (FerretDB
 * has no TTL indexes, so a job does their work), and direct uploads never confirmed.
 */
export async function runCleanup(now = new Date(), storage?: StorageProvider): Promise<number> {
  const removed =
    (await sweepUploads(storage, new Date(now.getTime() - UNCONFIRMED_UPLOAD_MS))) +
    (await deleteExpiredSessions(now)) +
    (await deleteExpiredAccountTokens(now)) +
    (await deleteExpiredOAuthRecords(now)) +
    (await deleteExpiredFeedSessions(now)) +
    (await deleteOldPostChanges(now)) +
    (await deleteOldHourStats(now)) +
    (await deleteOldQuotaCounters(now)) +
    (await deleteOldNotifications(now)) +
    (await deleteLapsedActivityMarks(now)) +
    (await endStaleRinging(now)) +
    (await endOrphanedCalls(now)) +
    (await expireStaleMatches(now));
  logger.info('cleanup done', { removed });
  return removed;
}

/** A provider that does not answer now leaves the sweep to the next run, not the rest of the clean-up undone. */
async function sweepUploads(storage: StorageProvider | undefined, before: Date): Promise<number> {
  return (
    (await storage?.sweepUnconfirmedUploads?.(before).catch((err: unknown) => {
      logger.warn('unconfirmed uploads not swept', { error: errorMessage(err) });
      return 0;
    })) ?? 0
  );
}

export const scheduleCleanup = (expression: string, storage: StorageProvider) =>
  scheduleJob(expression, 'cleanup', () => runCleanup(new Date(), storage));
