import { normaliseIdentifier } from '../../utils/text.js';
import { knownDeviceToken, keptLaneFor } from './known-device.js';
import { isInGoodStanding } from '../people/standing.js';
import { takeFromDailyCounter } from '../limits/daily-counter.js';
import { countLater, recordActivity, recordEvent, recordSignup } from '../analytics/record.js';
import type { Language } from '../../config/constants.js';
import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import type { AccountTokenPurpose } from '../../models/account-token.model.js';
import { User, type GENDERS, type PREFERENCES } from '../../models/user.model.js';
import { perKeyThrottle } from '../../utils/per-key-throttle.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { nameSearchKeys } from '../../utils/search-keys.js';
import { AccessTokens, type Role } from '../../utils/jwt.js';
import { consumeAccountToken, issueAccountToken, peekAccountToken, revokeAccountTokens } from './account-token.service.js';
import { sendMail } from '../mail/mail.service.js';
import { tellSignInsPaused } from './sign-ins-paused.js';
import { dropProviderLinks, providerNamesOf } from './oauth/identities.js';
import type { TemplateName } from '../mail/templates.js';
import { hashCostBelow, hashPassword, verifyPassword } from './password.service.js';
import { storedLocation } from '../people/profile.service.js';
import { audit } from '../audit.service.js';
import {
  createSession,
  endSession,
  markAuthenticated,
  type NewSession,
  findSessionIdByRefreshToken,
  revokeSession,
  revokeUserSessions,
  rotateRefreshToken,
  type ClientInfo,
} from './session.service.js';
import { duplicateUserField, getOwnUser, OWN_FIELDS, toOwnUser, type OwnUser } from '../people/user.service.js';

export const accessTokens = new AccessTokens({
  secret: config.auth.jwtSecret,
  acceptedSecrets: config.auth.jwtAcceptedSecrets,
  issuer: config.auth.issuer,
  audience: config.auth.audience,
  ttlSeconds: config.auth.accessTtlSeconds,
});

export interface SignupInput {
  firstName: string;
  lastName: string;
  gender: (typeof GENDERS)[number];
  dateOfBirth: Date;
  email: string;
  phone: string;
  username: string;
  password: string;
  preference: (typeof PREFERENCES)[number];
  interests: string[];
  location?: { lat: number; lng: number };
  locationConsent?: boolean;
  language?: Language;
}

export interface AuthResult {
  user: OwnUser;
  accessToken: string;
  refreshToken: string;
}

type SessionOwner = { _id: Types.ObjectId; role: string; email: string; firstName: string; emailVerified?: boolean };
/** The account as a sign-in read it before the password check (sessionEpoch: see revokeUserSessions). */
type SigningIn = SessionOwner & { sessionEpoch?: number };

/** Starts a session; a sign-in on a device the account has not used before is mailed to the owner and audited. */
async function openSession(user: SessionOwner, client: ClientInfo) {
  const session = await createSession(user._id, user.role as Role, client);
  if (session.newDevice) await noticeNewDevice(user, session, client.requestId);
  const accessToken = accessTokens.sign({ sub: String(user._id), role: user.role as Role, sid: String(session.sessionId) });
  return { sessionId: session.sessionId, accessToken, refreshToken: session.refreshToken };
}

/**
 * A session for a sign-in, checked again once it exists (recheckStanding). A new account's
 * too: its verification mail went out first, and a proof of the mailbox by its owner may
 * already have ended the sessions it could see.
 */
export async function startSignIn(user: SigningIn, client: ClientInfo) {
  const { sessionId, accessToken, refreshToken } = await openSession(user, client);
  await recheckStanding(user, sessionId);
  return { accessToken, refreshToken };
}

// New-device mails one account sends in a UTC day: each sign-in can claim a new device (its
// User-Agent is the client's to write), and every mail lands in one mailbox.
const NEW_DEVICE_MAILS_PER_DAY = 10;

/**
 * Audited always; mailed to a verified address only, at most NEW_DEVICE_MAILS_PER_DAY a day:
 * an account signed up with someone else's address must not turn sign-ins into mail to them.
 */
async function noticeNewDevice(user: SessionOwner, session: NewSession, requestId: string | undefined) {
  const where = session.region ?? 'an unknown place';
  await audit({
    userId: user._id,
    action: 'session.new_device',
    actor: 'user',
    requestId,
    detail: { sessionId: String(session.sessionId), device: session.deviceName, region: session.region, ip: session.ip },
  });
  if (!user.emailVerified) return;
  const id = String(user._id);
  if (!(await takeFromDailyCounter(`newDeviceMail:${id}`, id, NEW_DEVICE_MAILS_PER_DAY))) return;
  void sendMail('newDevice', user.email, {
    firstName: user.firstName,
    device: session.deviceName,
    region: where,
    ip: session.ip ?? 'unknown',
    time: new Date().toUTCString(),
    link: `${config.appUrl}/settings/sessions`,
  });
}

type MailedUser = { _id: Types.ObjectId; email: string; firstName: string };

/** Issues a single-use token and mails its link (in the background). */
async function mailAccountLink(
  user: MailedUser,
  purpose: AccountTokenPurpose,
  ttlMs: number,
  template: TemplateName,
  path: string,
  values: Record<string, number>,
) {
  const token = await issueAccountToken(user._id, purpose, ttlMs);
  void sendMail(template, user.email, { firstName: user.firstName, ...values, link: `${config.appUrl}/${path}?token=${token}` });
}

export const sendVerificationEmail = (user: MailedUser) => {
  const hours = config.auth.emailVerifyTtlHours;
  return mailAccountLink(user, 'verify_email', hours * 3_600_000, 'verifyEmail', 'verify-email', { hours });
};

export type NewUserInput = Omit<SignupInput, 'password'> & {
  passwordHash?: string;
  emailVerified?: boolean;
  _id?: Types.ObjectId;
  linkedProviders?: string[];
};

/** Creates an account (password or social sign-up); a taken email, username or phone is a 409 naming it. */
export async function createUser(input: NewUserInput) {
  const withLocation = input.locationConsent === true && input.location;
  try {
    const created = await User.create({
      ...(input._id && { _id: input._id }),
      firstName: input.firstName,
      lastName: input.lastName,
      gender: input.gender,
      dateOfBirth: input.dateOfBirth,
      email: input.email,
      emailVerified: input.emailVerified ?? false,
      linkedProviders: input.linkedProviders ?? [],
      phone: input.phone,
      username: input.username,
      ...(input.passwordHash && { passwordHash: input.passwordHash, passwordChangedAt: new Date() }),
      preference: input.preference,
      interests: input.interests,
      ...(input.language && { language: input.language }),
      locationConsent: Boolean(withLocation),
      ...(withLocation ? storedLocation(input.location!) : {}),
      ...nameSearchKeys(input),
    });
    countLater(() => recordSignup(String(created._id), created.createdAt));
    return created;
  } catch (err) {
    throw (await duplicateUserField(err, input)) ?? err;
  }
}

export async function signup(input: SignupInput, client: ClientInfo): Promise<AuthResult> {
  const { password, ...profile } = input;
  const user = await createUser({ ...profile, passwordHash: await hashPassword(password) });
  await sendVerificationEmail(user);
  const tokens = await startSignIn(user, client);
  return { user: toOwnUser(user.toObject()), ...tokens };
}

/**
 * Whether an account may sign in now: not banned, not suspended (until the end of the
 * suspension, which the refusal names). Every way in (password, refresh, social) asks.
 */
export function assertMaySignIn(user: { bannedAt?: Date | null; suspendedUntil?: Date | null }, now = new Date()): void {
  if (user.bannedAt) throw new AppError('ACCOUNT_BANNED', 'This account is suspended');
  if (user.suspendedUntil && user.suspendedUntil > now) {
    throw new AppError('ACCOUNT_SUSPENDED', `This account is suspended until ${user.suspendedUntil.toISOString()}`, {
      until: user.suspendedUntil.toISOString(),
    });
  }
}

/**
 * What changed while a sign-in was under way is looked at again once its session exists.
 * A ban or suspension, a password change, a mailbox proof (anything that ended the
 * account's sessions) ended every session before this one existed, so this one goes too.
 */
export async function recheckStanding(user: SigningIn, sessionId: Types.ObjectId): Promise<void> {
  const now = await User.findById(user._id, { bannedAt: 1, suspendedUntil: 1, role: 1, sessionEpoch: 1 }).lean();
  try {
    assertMaySignIn(now ?? { bannedAt: new Date() });
  } catch (err) {
    await revokeUserSessions(user._id, 'suspended');
    throw err;
  }
  // The session's tokens carry the role read before it began: a change in between (which
  // ended the sessions it could see) must not live on in this one. Every session of the
  // account ends (as the change itself does), and the client signs in again.
  if (now!.role !== user.role) {
    await revokeUserSessions(user._id, 'role_changed');
    throw signInRaced();
  }
  // Sessions were ended after this sign-in read the account (its password may be the one
  // just changed): only this session goes, the one a password change keeps stays.
  if ((now!.sessionEpoch ?? 0) !== (user.sessionEpoch ?? 0)) {
    await revokeSession(sessionId, 'ended_during_sign_in');
    throw signInRaced();
  }
}

const signInRaced = () => new AppError('CONCURRENT_UPDATE', 'Your account changed while you signed in: sign in again');

export const invalidCredentials = () => new AppError('INVALID_CREDENTIALS', 'Email, username or password is wrong');

/**
 * Records activity for discovery's ranking at sign-in and every refresh (a client in use
 * refreshes every few minutes). Best effort, off the response path; never an unhandled
 * rejection (e.g. during shutdown). At most one write a minute per person and process: the
 * ranking reads minutes, and a burst of refreshes (several devices, a retrying client)
 * writes once.
 */
const activeMarks = perKeyThrottle(60_000);
export function markActive(userId: Types.ObjectId): void {
  activeMarks(String(userId), () =>
    User.updateOne({ _id: userId }, { $set: { lastActiveAt: new Date() } })
      .exec()
      .catch(() => undefined),
  );
}

/** A sign-in past its account's failures: the first of the window (which may tell the owner) or a later one. */
export type PastAccountFailures = 'first' | 'again';

/** The identifier is an email when it holds an @, else a username. */
export async function login(
  identifier: string,
  password: string,
  client: ClientInfo,
  presentedDeviceToken?: unknown,
  { pastAccountFailures }: { pastAccountFailures?: PastAccountFailures } = {},
): Promise<AuthResult & { deviceToken: string }> {
  const id = normaliseIdentifier(identifier);
  const user = await User.findOne(
    id.includes('@') ? { email: id } : { username: id },
    `${OWN_FIELDS} passwordHash passwordChangedAt bannedAt suspendedUntil sessionEpoch`,
  ).lean();
  // Always one bcrypt comparison, so unknown accounts answer in the same time; a device that
  // signed in to this account a day or more before waits in the kept lane (a flood keeps the
  // owner out no more). A new password starts its devices' day again (their tokens die with it).
  const known = user && isInGoodStanding(user) && keptLaneFor(presentedDeviceToken, user) ? String(user._id) : undefined;
  // Past the account's failures (by any of its identifiers), refused as a wrong password is:
  // after the same comparison with its own hash (the same time, whatever its cost), unheeded.
  const ok = (await verifyPassword(password, user?.passwordHash, known)) && !pastAccountFailures;
  // In the background: the answer takes no longer for it.
  if (pastAccountFailures === 'first' && user) {
    void tellSignInsPaused(user).catch((err: unknown) =>
      logger.warn('sign-ins paused mail failed', { error: errorMessage(err) }),
    );
  }
  if (!user || !ok) throw invalidCredentials();
  // A hash made at a lower cost (BCRYPT_COST raised since) made again at this one, now the
  // password is at hand (until then each check of it is padded to this cost's work).
  if (hashCostBelow(user.passwordHash!)) void rehashPassword(user._id, user.passwordHash!, password);
  assertMaySignIn(user);
  const tokens = await startSignIn(user, client);
  markActive(user._id);
  countLater(() => recordEvent('signin', { userId: String(user._id) }));
  // Sealed from the record whose password was checked, not read again: a new password written
  // meanwhile must not be named in a token its holder never proved.
  return { user: toOwnUser(user), ...tokens, deviceToken: knownDeviceToken(user) };
}

/**
 * The password just proved, hashed again at the configured cost, unless the hash changed
 * meanwhile; never its date (known devices' tokens hold to it). A failure waits for the next
 * sign-in (a full line of password checks, say).
 */
async function rehashPassword(userId: Types.ObjectId, old: string, password: string): Promise<void> {
  try {
    const hash = await hashPassword(password);
    await User.updateOne({ _id: userId, passwordHash: old }, { $set: { passwordHash: hash } });
  } catch (err) {
    logger.warn('password rehash failed', { userId: String(userId), error: errorMessage(err) });
  }
}

export async function refresh(refreshToken: string, client: ClientInfo) {
  const rotated = await rotateRefreshToken(refreshToken, client, signInRole);
  const accessToken = accessTokens.sign({ sub: String(rotated.userId), role: rotated.role, sid: String(rotated.sessionId) });
  markActive(rotated.userId);
  // A client in use refreshes every few minutes: API activity counts as active (DAU).
  countLater(() => recordActivity(String(rotated.userId)));
  return { accessToken, refreshToken: rotated.refreshToken };
}

/** The account's role if it may sign in now; null if it is gone, banned or suspended. */
async function signInRole(userId: Types.ObjectId): Promise<Role | null> {
  const user = await User.findById(userId, { role: 1, bannedAt: 1, suspendedUntil: 1 }).lean();
  if (!user || user.bannedAt || (user.suspendedUntil && user.suspendedUntil > new Date())) return null;
  return user.role as Role;
}

/** Ends the session named by the access token or, when that has expired, by the refresh token. */
export async function logout(sessionId: string | undefined, refreshToken: string | undefined): Promise<void> {
  const sid = sessionId ?? (refreshToken ? await findSessionIdByRefreshToken(refreshToken) : null);
  if (sid) await revokeSession(sid, 'logout');
}

/**
 * Ends one of the user's sessions (signing a lost device out), with an audit record. A
 * pending change of address dies with it, whichever session asked: ending a session from
 * the list is the owner taking the account back, and the one that asked may be gone already
 * (signed out by whoever asked, to hide).
 */
export async function endSessionOf(userId: string, sessionId: string, requestId: string | undefined): Promise<void> {
  // First: a session signed out already (a 404 below) was the owner's gesture all the same.
  await revokeAccountTokens(new Types.ObjectId(userId), 'change_email');
  const ended = await endSession(userId, sessionId);
  await audit({
    userId: new Types.ObjectId(userId),
    action: 'session.ended',
    actor: 'user',
    detail: { sessionId, ...ended },
    requestId,
  });
}

export const logoutAll = (userId: string) => revokeUserSessions(userId, 'logout_all');

/**
 * The mailbox owner just proved the address. Whatever was attached to the account before
 * (other sign-in methods, sessions) may be an impostor's who registered the address first
 * and linked their own way in: it goes, and the owner is told what went (with a link to
 * set a password when no way in is left).
 */
async function secureAfterMailboxProof(
  userId: Types.ObjectId,
  via: 'verify_email' | 'reset_password',
  requestId: string | undefined,
) {
  // A verification by someone who is neither signed in nor knows the password: whoever set
  // that password may be the squatter, so it goes too (the owner sets their own).
  const dropPassword = via === 'verify_email';
  const hadPassword = dropPassword
    ? (await User.updateOne({ _id: userId }, { $unset: { passwordHash: 1 } })).modifiedCount === 1
    : false;
  const providers = await dropProviderLinks(userId);
  const sessions = await revokeUserSessions(userId, 'mailbox_proven');
  await audit({
    userId,
    action: 'auth.mailbox_proven',
    actor: 'user',
    requestId,
    detail: { via, providersRemoved: providers, sessionsEnded: sessions, passwordRemoved: hadPassword },
  });
  if (!providers.length && !sessions && !hadPassword) return;
  const user = await User.findById(userId, { email: 1, firstName: 1, passwordHash: 1 }).lean();
  if (!user) return;
  const minutes = config.auth.passwordResetTtlMinutes;
  const reset = user.passwordHash ? null : await issueAccountToken(user._id, 'reset_password', minutes * 60_000);
  void sendMail('accountSecured', user.email, {
    firstName: user.firstName,
    providers: providers.join(', ') || 'none',
    sessions,
    link: reset ? `${config.appUrl}/reset-password?token=${reset}` : `${config.appUrl}/settings/security`,
  });
}

/**
 * Verifies the address with the mailed token. Whoever opens the mail owns the address, but
 * the account may not be theirs (someone signed up with it first). The account's creator
 * proves both by verifying from their own session or with the password; anyone else's
 * first verification claims the account: the password, provider links and sessions set up
 * before go, and the owner is mailed a link to set their own password.
 */
export async function verifyEmail(
  token: string,
  requestId: string | undefined,
  caller?: { sub: string },
  password?: string,
): Promise<OwnUser> {
  const userId = await peekAccountToken(token, 'verify_email');
  let creator = caller?.sub === String(userId);
  if (!creator && password !== undefined) {
    const user = await User.findById(userId, { passwordHash: 1 }).lean();
    // A wrong password spends nothing: the link still works for another try.
    if (!(await verifyPassword(password, user?.passwordHash))) throw new AppError('WRONG_PASSWORD', 'The password is wrong');
    creator = true;
  }
  await consumeAccountToken(token, 'verify_email');
  // updateOne then a read: FerretDB refuses the projection select:false adds to findOneAndUpdate.
  const first = await User.updateOne({ _id: userId, emailVerified: false }, { $set: { emailVerified: true } });
  if (first.modifiedCount === 1 && !creator) await secureAfterMailboxProof(userId, 'verify_email', requestId);
  return getOwnUser(String(userId));
}

export async function resendVerification(userId: string): Promise<void> {
  const user = await User.findById(userId, { email: 1, firstName: 1, emailVerified: 1 }).lean();
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  if (user.emailVerified) throw new AppError('EMAIL_ALREADY_VERIFIED', 'This email address is already verified');
  await sendVerificationEmail(user);
}

/** Answers the same whether or not the account exists; the mail goes out in the background. */
export async function forgotPassword(email: string): Promise<void> {
  const user = await User.findOne({ email: normaliseIdentifier(email) }, { email: 1, firstName: 1, bannedAt: 1 }).lean();
  if (!user || user.bannedAt) return;
  const minutes = config.auth.passwordResetTtlMinutes;
  await mailAccountLink(user, 'reset_password', minutes * 60_000, 'resetPassword', 'reset-password', { minutes });
}

/**
 * Sets a new password; the known-device token of the client that set it (sealed with its
 * date), or null for an account deleted meanwhile (a link claimed as the deletion ran).
 */
async function setPassword(
  userId: Types.ObjectId | string,
  password: string,
  extra: Record<string, unknown> = {},
): Promise<string | null> {
  const passwordHash = await hashPassword(password);
  const passwordChangedAt = new Date();
  const res = await User.updateOne({ _id: userId, deletedAt: null }, { $set: { passwordHash, passwordChangedAt, ...extra } });
  if (res.matchedCount !== 1) return null;
  // What the token names besides (its identifiers, the account's standing) as the account is now.
  const account = await User.findById(userId, { username: 1, email: 1, emailVerified: 1, createdAt: 1 }).lean();
  return knownDeviceToken({ ...account, _id: userId, passwordChangedAt });
}

/**
 * A reset proves the mailbox too: the address counts as verified, and what was attached
 * before goes. The client that reset is a known device from then on: someone failing
 * sign-ins on purpose to keep the owner out does not keep them out after they reset.
 */
export async function resetPassword(
  token: string,
  password: string,
  requestId: string | undefined,
): Promise<{ userId: string; deviceToken: string }> {
  const userId = await consumeAccountToken(token, 'reset_password');
  const deviceToken = await setPassword(userId, password, { emailVerified: true });
  if (!deviceToken) throw new AppError('INVALID_LINK', 'This link is invalid, used or expired');
  await audit({ userId, action: 'auth.password_reset', actor: 'user', requestId });
  await revokeAccountTokens(userId, 'reset_password');
  await secureAfterMailboxProof(userId, 'reset_password', requestId);
  return { userId: String(userId), deviceToken };
}

/** Confirms the password in the current session, for changes that need a recent sign-in. */
export async function reauthenticate(userId: string, sessionId: string, password: string): Promise<void> {
  const user = await User.findById(userId, { passwordHash: 1 }).lean();
  if (!user?.passwordHash) throw new AppError('NO_PASSWORD', 'This account has no password: sign in with your provider again');
  if (!(await verifyPassword(password, user.passwordHash))) throw new AppError('WRONG_PASSWORD', 'The password is wrong');
  await markAuthenticated(userId, sessionId);
}

export async function changePassword(
  userId: string,
  sessionId: string,
  current: string,
  next: string,
  requestId: string | undefined,
): Promise<string> {
  const user = await User.findById(userId, { passwordHash: 1, email: 1, firstName: 1, linkedProviders: 1 }).lean();
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  if (!(await verifyPassword(current, user.passwordHash))) {
    throw new AppError('WRONG_PASSWORD', 'The current password is wrong');
  }
  const deviceToken = await setPassword(user._id, next);
  if (!deviceToken) throw notFound('User');
  const ended = await revokeUserSessions(user._id, 'password_changed', sessionId);
  await audit({
    userId: user._id,
    action: 'auth.password_changed',
    actor: 'user',
    actorId: user._id,
    requestId,
    detail: { sessionsEnded: ended },
  });
  // What else signs in stays (a password is not all of it): named, so someone who linked their
  // own provider while they held the account is seen.
  void sendMail('passwordChanged', user.email, {
    firstName: user.firstName,
    providers: providerNamesOf(user.linkedProviders ?? []),
    link: `${config.appUrl}/forgot-password`,
  });
  return deviceToken;
}
