/**
 * Sends the scheduled system notices that are due, once, as SYSTEM_NOTICES_CRON does:
 * npm run system-notices. Safe beside running servers: each notice is claimed by one process.
 */
import { sendDueSystemNotices } from '../services/notifications/system-notice.service.js';
import { runWithDatabase } from './with-database.js';

await runWithDatabase(async () => {
  process.stdout.write(`system notices: ${await sendDueSystemNotices()} people told\n`);
  return 0;
});
