import { deleteExpiredAccountTokens } from '../services/auth/account-token.service.js';
import { endStaleRinging } from '../services/match/call.service.js';
import { expireStaleMatches } from '../services/match/match.service.js';
import { deleteOldQuotaCounters } from '../services/connections/quota.service.js';
import { deleteOldPostChanges } from '../services/feeds/fanout.js';
import { deleteExpiredFeedSessions } from '../services/feeds/for-you.service.js';
import { deleteOldHourStats } from '../services/feeds/signals.service.js';
import { deleteExpiredOAuthRecords } from '../services/auth/oauth/oauth.service.js';
import { deleteExpiredSessions } from '../services/auth/session.service.js';
import { deleteOldNotifications } from '../services/notifications/notification.service.js';
import { deleteLapsedActivityMarks } from '../services/analytics/record.js';
import { logger } from '../utils/logger.js';
import { scheduleJob } from './schedule.js';

/** Deletes expired sessions and tokens, past days' quota counters and old notices: FerretDB has no TTL indexes, so a job does their work. */
export async function runCleanup(now = new Date()): Promise<number> {
  const removed =
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
    (await expireStaleMatches(now));
  logger.info('cleanup done', { removed });
  return removed;
}

export const scheduleCleanup = (expression: string) => scheduleJob(expression, 'cleanup', runCleanup);
