import { announceLeftNotices } from '../services/notifications/pending-announcements.js';
import { sendDueSystemNotices } from '../services/notifications/system-notice.service.js';
import { scheduleJob } from './schedule.js';

/**
 * Scheduled system notices that are due go out, each once across processes (the service
 * claims them), and new notices a failure or a crash left untold are told, each once too.
 */
export const scheduleSystemNotices = (expression: string) =>
  scheduleJob(expression, 'system notices', async () => {
    // Each runs to its end whatever the other meets; a failure of either is the job's.
    const outcomes = await Promise.allSettled([sendDueSystemNotices(), announceLeftNotices()]);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return outcomes;
  });
