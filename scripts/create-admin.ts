/**
 * Makes an existing account an administrator (or another role):
 *   npm run create-admin -- someone@example.com            (development, via tsx)
 *   node dist/scripts/create-admin.js someone@example.com  (production build)
 *   ... someone@example.com moderator
 * The person signs up normally first; this only changes their role, so no password
 * ever passes through a command line or shell history.
 */
import { findUserIdByEmail, setUserRole } from '../services/people/user.service.js';
import { runWithDatabase } from './with-database.js';

const [email, role = 'admin'] = process.argv.slice(2);
if (!email || !['user', 'moderator', 'admin'].includes(role)) {
  process.stderr.write('usage: create-admin <email> [admin|moderator|user]\n');
  process.exit(2);
}

await runWithDatabase(async () => {
  const userId = await findUserIdByEmail(email);
  if (!userId) {
    process.stderr.write(`no account uses ${email}; sign up first\n`);
    return 1;
  }
  await setUserRole(userId, role as 'admin');
  process.stdout.write(`${email} is now ${role}\n`);
  return 0;
});
