import type { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { User } from '../../models/user.model.js';
import { sendMail } from '../mail/mail.service.js';

const PAUSED_MAIL_EVERY_MS = 86_400_000;
const PAUSED_MAIL_FIRST_RETRY_MS = 3_600_000;
const PAUSED_MAIL_EPISODE_MS = 2 * 86_400_000;

// The "told at" that makes the mail due again `after` ms past `at` (due a day after it was told).
const toldAtDueIn = (at: Date, after: number) => new Date(at.getTime() + after - PAUSED_MAIL_EVERY_MS);

/**
 * The owner told why the right password is refused on a new device for a while: at most once a
 * day, however often a prober passes the count (each window, each process without Redis).
 */
export async function tellSignInsPaused(user: { _id: Types.ObjectId; email: string; firstName: string }): Promise<void> {
  const now = new Date();
  const lastDue = new Date(now.getTime() - PAUSED_MAIL_EVERY_MS);
  // Claimed as due again within the hour, and as told for the day only once sent: a process that
  // stops between the claim and the send loses the mail for an hour, not for the day.
  const claim = toldAtDueIn(now, PAUSED_MAIL_FIRST_RETRY_MS);
  const claimed = await User.updateOne(
    { _id: user._id, $or: [{ signInsPausedToldAt: null }, { signInsPausedToldAt: { $lt: lastDue } }] },
    { $set: { signInsPausedToldAt: claim } },
  );
  if (claimed.modifiedCount !== 1) return;
  const sent = await sendMail('signInsPaused', user.email, {
    firstName: user.firstName,
    failures: config.limits.loginFailuresPerAccount,
    minutes: config.limits.loginLockoutMinutes,
    link: `${config.appUrl}/forgot-password`,
  });
  if (sent) {
    await User.updateOne(
      { _id: user._id, signInsPausedToldAt: claim },
      { $set: { signInsPausedToldAt: now }, $unset: { signInsPausedMailFailures: 1, signInsPausedMailFailedAt: 1 } },
    );
    return;
  }
  // Not sent (the provider failed, or timed out having sent it): tried again an hour on at the
  // soonest, then two, four... (not each window: a refused address would be retried 96 times a
  // day, and a provider that times out having sent would send each): five tries the first day.
  // Refusals of an episode long past (two days without one) count no more.
  const last = await User.findById(user._id, { signInsPausedMailFailures: 1, signInsPausedMailFailedAt: 1 }).lean();
  const recent = (last?.signInsPausedMailFailedAt?.getTime() ?? 0) > now.getTime() - PAUSED_MAIL_EPISODE_MS;
  const failures = recent ? (last?.signInsPausedMailFailures ?? 0) : 0;
  const wait = Math.min(PAUSED_MAIL_FIRST_RETRY_MS * 2 ** failures, PAUSED_MAIL_EVERY_MS);
  await User.updateOne(
    { _id: user._id, signInsPausedToldAt: claim },
    {
      $set: {
        signInsPausedToldAt: toldAtDueIn(now, wait),
        signInsPausedMailFailures: failures + 1,
        signInsPausedMailFailedAt: now,
      },
    },
  );
}
