import type { config } from '../config/index.js';
import { sendAdminConnectionAlert, sendRequestDigests } from '../services/mail/alerts.service.js';
import { sendNotificationDigests } from '../services/notifications/email-digest.js';
import { scheduleJob } from './schedule.js';

/** The daily request digest, the notification digests (daily; weekly on Mondays) and the batched admin alert, on their crons. */
export function scheduleAlerts(alerts: typeof config.alerts): { stop: () => void } {
  const tasks = [
    scheduleJob(alerts.digestCron, 'request digest', sendRequestDigests),
    scheduleJob(alerts.digestCron, 'notification digest', sendNotificationDigests),
    scheduleJob(alerts.adminCron, 'admin alert', sendAdminConnectionAlert),
  ];
  return { stop: () => tasks.forEach((t) => void t.stop()) };
}
