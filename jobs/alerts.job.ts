import type { config } from '../config/index.js';
import { sendAdminConnectionAlert, sendRequestDigests } from '../services/mail/alerts.service.js';
import { sendNotificationDigests } from '../services/notifications/email-digest.js';
import { scheduleJob } from './schedule.js';
import { withJobLock } from '../services/job-lock.js';

const DIGEST_LEASE_MS = 30 * 60_000;

/** The daily request digest, the notification digests (daily; weekly on Mondays) and the batched admin alert, on their crons. */
export function scheduleAlerts(alerts: typeof config.alerts): { stop: () => void } {
  const tasks = [
    // One process walks the receivers (the day's log record alone would only stop a second mail).
    scheduleJob(alerts.digestCron, 'request digest', () =>
      withJobLock('request-digest', DIGEST_LEASE_MS, async () => void (await sendRequestDigests())),
    ),
    scheduleJob(alerts.digestCron, 'notification digest', sendNotificationDigests),
    scheduleJob(alerts.adminCron, 'admin alert', sendAdminConnectionAlert),
  ];
  return { stop: () => tasks.forEach((t) => void t.stop()) };
}
