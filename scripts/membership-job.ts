/**
 * Runs the membership job once, as MEMBERSHIP_CRON does (expiry, reminders,
 * reconciliation, left-over webhook events):  npm run membership-job
 * Safe beside running servers: one process at a time holds the job's lease.
 */
import { runMembershipJob } from '../jobs/membership.job.js';
import { runWithDatabase } from './with-database.js';

await runWithDatabase(async () => {
  const result = await runMembershipJob();
  process.stdout.write(
    result ? `membership job done: ${JSON.stringify(result)}\n` : 'membership job: another process holds the lease\n',
  );
  return 0;
});
