import { z } from 'zod';
import { bool, cron, defineArea } from '../env-rules.js';

/** Scheduled work: whether this process runs it, when, and where admin alerts go. */
export const jobs = defineArea({
  vars: {
    ENABLE_JOBS: bool(true),
    CLEANUP_CRON: cron('17 * * * *'),
    POSTS_CRON: cron('*/10 * * * *'),
    ADMIN_ALERT_EMAIL: z.email().optional(),
    ADMIN_ALERT_CRON: cron('*/15 * * * *'),
    DIGEST_CRON: cron('0 8 * * *'),
    SYSTEM_NOTICES_CRON: cron('* * * * *'),
  },
  settings: (e) => ({
    jobs: { enabled: e.ENABLE_JOBS, cleanupCron: e.CLEANUP_CRON, postsCron: e.POSTS_CRON, noticesCron: e.SYSTEM_NOTICES_CRON },
    alerts: { adminEmail: e.ADMIN_ALERT_EMAIL, adminCron: e.ADMIN_ALERT_CRON, digestCron: e.DIGEST_CRON },
  }),
});
