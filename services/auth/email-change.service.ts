import { INVISIBLE, normaliseIdentifier } from '../../utils/text.js';
import { config } from '../../config/index.js';
import type { Language } from '../../config/constants.js';
import { Session } from '../../models/session.model.js';
import { User } from '../../models/user.model.js';
import { AppError } from '../../utils/app-error.js';
import { isDuplicateKey } from '../../utils/duplicate-key.js';
import { audit } from '../audit.service.js';
import { sendMail } from '../mail/mail.service.js';
import { getOwnUser, type OwnUser } from '../people/user.service.js';
import { claimAccountToken, issueAccountToken, revokeAccountTokens } from './account-token.service.js';
import { assertRecentlyAuthenticated, revokeUserSessions } from './session.service.js';

/** `a***@example.com`: enough for the owner to recognise, not a full address to a reader of the old mailbox. */
const masked = (email: string) => {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
};

const emailTaken = () => new AppError('EMAIL_TAKEN', 'Another account uses this email address');

/**
 * Asks to move the account to a new address: needs a recent proof of identity in this
 * session (a stolen token alone cannot take the account's mailbox). The new address gets
 * a link that confirms it; the current one is told. Nothing changes until the link is used,
 * and a newer request voids the links of earlier ones.
 */
export async function requestEmailChange(
  userId: string,
  sessionId: string,
  newEmail: string,
  requestId: string | undefined,
): Promise<void> {
  await assertRecentlyAuthenticated(userId, sessionId);
  const user = await User.findById(userId, { email: 1, firstName: 1, language: 1, sessionEpoch: 1 }).lean();
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  if (user.email === newEmail) throw new AppError('EMAIL_UNCHANGED', 'This is already the account’s address');
  if (await User.exists({ email: newEmail })) throw emailTaken();
  await revokeAccountTokens(user._id, 'change_email');
  const hours = config.auth.emailVerifyTtlHours;
  const token = await issueAccountToken(user._id, 'change_email', hours * 3_600_000, {
    newEmail,
    sessionId,
    sessionEpoch: user.sessionEpoch ?? 0,
  });
  const language = (user.language ?? undefined) as Language | undefined;
  void sendMail(
    'confirmEmailChange',
    newEmail,
    { firstName: user.firstName, hours, link: `${config.appUrl}/confirm-email?token=${token}` },
    language,
  );
  void sendMail(
    'emailChangeRequested',
    user.email,
    { firstName: user.firstName, maskedEmail: masked(newEmail), link: `${config.appUrl}/settings/security` },
    language,
  );
  await audit({
    userId,
    action: 'auth.email_change_requested',
    actor: 'user',
    actorId: userId,
    requestId,
    detail: { to: masked(newEmail) },
  });
}

/**
 * The new address's link: the account moves to it, verified (opening the mail proved it).
 * It works while the session that asked is still signed in, or was signed out by itself
 * (people sign out, then open their mail) with nothing ending sessions since: whatever
 * ended that session otherwise (the owner ending it from their list, a password reset or a
 * mailbox proof, a password change elsewhere, signing out everywhere, a suspension) voids
 * the change with it, so one who squatted the address or stole a session cannot move the
 * mailbox after the owner took the account back. An address another account took meanwhile
 * is refused by the unique index. The old address is told, and no longer signs in.
 */
export async function confirmEmailChange(token: string, requestId: string | undefined): Promise<OwnUser> {
  const { userId, newEmail, sessionId, sessionEpoch } = await claimAccountToken(token, 'change_email');
  const [before, asker] = await Promise.all([
    User.findOne({ _id: userId, deletedAt: null }, { email: 1, firstName: 1, language: 1, bannedAt: 1, sessionEpoch: 1 }).lean(),
    sessionId
      ? Session.findOne({ _id: sessionId, userId, expiresAt: { $gt: new Date() } }, { revokedAt: 1, revokedReason: 1 }).lean()
      : null,
  ]);
  const askerStands =
    asker &&
    (!asker.revokedAt ||
      // Every way of ending sessions raises the epoch: a sign-out followed by a recovery voids the link.
      (asker.revokedReason === 'logout' && sessionEpoch !== null && sessionEpoch === (before?.sessionEpoch ?? 0)));
  // A link issued before addresses were checked as stored may name one with an invisible character.
  if (!before || !newEmail || INVISIBLE.test(normaliseIdentifier(newEmail)) || !askerStands || before.bannedAt) {
    throw new AppError('INVALID_LINK', 'This link is invalid, used or expired');
  }
  // Conditional too: a deletion landing meanwhile must not get the address back, verified.
  const moved = await User.updateOne(
    { _id: userId, deletedAt: null },
    { $set: { email: normaliseIdentifier(newEmail), emailVerified: true } },
  ).catch((err: unknown) => {
    throw isDuplicateKey(err) ? emailTaken() : err;
  });
  if (moved.matchedCount !== 1) throw new AppError('INVALID_LINK', 'This link is invalid, used or expired');
  // Links mailed to the old address stop working, and every session ends: whoever still
  // reads the old mailbox (often why the address moved) cannot reset their way back in.
  await Promise.all([revokeAccountTokens(userId, 'reset_password'), revokeAccountTokens(userId, 'verify_email')]);
  const sessionsEnded = await revokeUserSessions(userId, 'email_changed');
  await audit({
    userId,
    action: 'auth.email_changed',
    actor: 'user',
    actorId: userId,
    requestId,
    before: { email: before.email },
    after: { email: newEmail },
    detail: { sessionsEnded },
  });
  void sendMail(
    'emailChanged',
    before.email,
    { firstName: before.firstName, maskedEmail: masked(newEmail), link: `${config.appUrl}/support` },
    (before.language ?? undefined) as Language | undefined,
  );
  return getOwnUser(String(userId));
}
