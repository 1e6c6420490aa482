/**
 * Sends the scheduled system notices that are due, and tells the new notices a failure or a
 * crash left untold, once, as SYSTEM_NOTICES_CRON does: npm run system-notices. Safe beside
 * running servers: each notice is claimed by one process.
 */
import { announceLeftNotices } from '../services/notifications/pending-announcements.js';
import { sendDueSystemNotices } from '../services/notifications/system-notice.service.js';
import { runWithDatabase } from './with-database.js';

await runWithDatabase(async () => {
  process.stdout.write(`system notices: ${await sendDueSystemNotices()} people told\n`);
  process.stdout.write(`notices left untold: ${await announceLeftNotices()} told\n`);
  return 0;
});
