import { deleteExpiredAccountTokens } from '../services/auth/account-token.service.js';
import { endOrphanedCalls, endStaleRinging } from '../services/match/call.service.js';
import { expireStaleMatches } from '../services/match/match.service.js';
import { deleteOldQuotaCounters } from '../services/limits/daily-counter.js';
import { deleteOldPostChanges } from '../services/feeds/fanout.js';
import { deleteExpiredFeedSessions } from '../services/feeds/for-you.service.js';
import { deleteOldHourStats } from '../services/feeds/signals.service.js';
import { deleteExpiredOAuthRecords } from '../services/auth/oauth/oauth.service.js';
import { deleteExpiredSessions } from '../services/auth/session.service.js';
import { deleteOldNotifications } from '../services/notifications/notification.service.js';
import { deleteLapsedActivityMarks } from '../services/analytics/record.js';
import { finishDeletions } from '../services/people/account-deletion.service.js';
import { deleteOldWebhookEvents } from '../services/payments/webhook.service.js';
import type { StorageProvider } from '../services/storage/storage.provider.js';
import { errorMessage, logger } from '../utils/logger.js';
import { withJobLock } from '../services/job-lock.js';
import { scheduleJob } from './schedule.js';

// A direct upload ticket is good for an hour; its upload is confirmed at once in practice.
const UNCONFIRMED_UPLOAD_MS = 2 * 3_600_000;

/**
 * Deletes expired sessions and tokens, past days' quota counters, old notices and payment events (FerretDB
 * has no TTL indexes, so a job does their work), ends calls and matches left by a dead
 * process, finishes account deletions cut short, and sweeps direct uploads never confirmed (last: it waits on the provider). A
 * step that fails is logged and left to the next run; the others still run.
 */
export async function runCleanup(now = new Date(), storage?: StorageProvider): Promise<number> {
  const steps: [string, () => Promise<number>][] = [
    ['sessions', () => deleteExpiredSessions(now)],
    ['account tokens', () => deleteExpiredAccountTokens(now)],
    ['oauth records', () => deleteExpiredOAuthRecords(now)],
    ['feed sessions', () => deleteExpiredFeedSessions(now)],
    ['post changes', () => deleteOldPostChanges(now)],
    ['hour stats', () => deleteOldHourStats(now)],
    ['quota counters', () => deleteOldQuotaCounters(now)],
    ['notifications', () => deleteOldNotifications(now)],
    ['activity marks', () => deleteLapsedActivityMarks(now)],
    ['payment events', () => deleteOldWebhookEvents(now)],
    ['ringing calls', () => endStaleRinging(now)],
    ['orphaned calls', () => endOrphanedCalls(now)],
    ['matches', () => expireStaleMatches(now)],
    ['account deletions', async () => (storage ? await finishDeletions(now, storage) : 0)],
    [
      'unconfirmed uploads',
      async () => (await storage?.sweepUnconfirmedUploads?.(new Date(now.getTime() - UNCONFIRMED_UPLOAD_MS))) ?? 0,
    ],
  ];
  let removed = 0;
  for (const [name, step] of steps) {
    removed += await step().catch((err: unknown) => {
      logger.warn('cleanup step failed', { step: name, error: errorMessage(err) });
      return 0;
    });
  }
  logger.info('cleanup done', { removed });
  return removed;
}

/** A run may take a while on a big day; the lease outlasts it, and a crashed holder's lapses. */
const LEASE_MS = 15 * 60_000;

/** One process at a time across the deployment runs the clean-up (the others skip that tick). */
export const scheduleCleanup = (expression: string, storage: StorageProvider) =>
  scheduleJob(expression, 'cleanup', () =>
    withJobLock('cleanup', LEASE_MS, async () => void (await runCleanup(new Date(), storage))),
  );
