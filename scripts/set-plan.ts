/**
 * Gives an account a plan until payments sell them (or for support):
 *   npm run set-plan -- someone@example.com gold 30     (gold for 30 days)
 *   npm run set-plan -- someone@example.com free
 */
import { PLANS } from '../models/user.model.js';
import { setPlan, type Plan } from '../services/connections/quota.service.js';
import { findUserIdByEmail } from '../services/people/user.service.js';
import { runWithDatabase } from './with-database.js';

const [email, plan, daysArg = '30'] = process.argv.slice(2);
const days = Number(daysArg);
if (!email || !PLANS.includes(plan as Plan) || !Number.isInteger(days) || days < 1 || days > 3660) {
  process.stderr.write(`usage: set-plan <email> <${PLANS.join('|')}> [days, default 30]\n`);
  process.exit(2);
}

await runWithDatabase(async () => {
  const userId = await findUserIdByEmail(email);
  if (!userId) {
    process.stderr.write(`no account uses ${email}\n`);
    return 1;
  }
  const expiresAt = plan === 'free' ? null : new Date(Date.now() + days * 86_400_000);
  await setPlan(String(userId), plan as Plan, expiresAt);
  process.stdout.write(`${email} is now on ${plan}${expiresAt ? ` until ${expiresAt.toISOString()}` : ''}\n`);
  return 0;
});
