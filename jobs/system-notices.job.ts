import { announceLeftNotices } from '../services/notifications/pending-announcements.js';
import { sendDueSystemNotices } from '../services/notifications/system-notice.service.js';
import { scheduleJob } from './schedule.js';

/**
 * Scheduled system notices that are due go out, each once across processes (the service
 * claims them), and new notices whose announcement a failure or a crash left unmade are
 * announced, each once too.
 */
export const scheduleSystemNotices = (expression: string) =>
  scheduleJob(expression, 'system notices', async () => {
    // Both run whatever the other meets.
    const [sent, announced] = await Promise.all([sendDueSystemNotices(), announceLeftNotices()]);
    return { sent, announced };
  });
