import { normaliseIdentifier } from '../../../utils/text.js';
import { countLater, recordEvent } from '../../analytics/record.js';
import { Types } from 'mongoose';
import { config } from '../../../config/index.js';
import { OAuthIdentity, type OAuthProvider } from '../../../models/oauth-identity.model.js';
import { OAuthNonce } from '../../../models/oauth-nonce.model.js';
import { OAuthSignup } from '../../../models/oauth-signup.model.js';
import { User } from '../../../models/user.model.js';
import { AppError } from '../../../utils/app-error.js';
import { randomToken, sha256 } from '../../../utils/crypto.js';
import { insertedOnce, isDuplicateKey } from '../../../utils/duplicate-key.js';
import { audit } from '../../audit.service.js';
import {
  assertMaySignIn,
  createUser,
  markActive,
  sendVerificationEmail,
  startSignIn,
  type AuthResult,
  type NewUserInput,
} from '../auth.service.js';
import { sendMail } from '../../mail/mail.service.js';
import { assertRecentlyAuthenticated, type ClientInfo } from '../session.service.js';
import { OWN_FIELDS, toOwnUser } from '../../people/user.service.js';
import { invalidProviderToken } from './id-token.verifier.js';
import { PROVIDER_NAMES } from './identities.js';
import { identify, type ProviderCredential, type ProviderProfile } from './providers.js';

/** The profile fields a provider never gives, asked of the client before the account is usable. */
const PROFILE_FIELDS = ['gender', 'dateOfBirth', 'phone', 'username', 'preference', 'interests'] as const;

export type OAuthSignIn =
  | ({ status: 'signed_in' } & AuthResult)
  | {
      status: 'profile_required';
      signupToken: string;
      expiresAt: Date;
      missing: string[];
      profile: { firstName?: string; lastName?: string; email?: string; emailVerified: boolean };
    };

/** An ID token works once: a second use (a captured token replayed) is refused. */
async function spendToken(profile: ProviderProfile): Promise<void> {
  const replay = profile.replay;
  if (replay && !(await insertedOnce(() => OAuthNonce.create(replay)))) throw invalidProviderToken('replayed');
}

function noticeMethodChange(user: { email: string; firstName: string }, provider: OAuthProvider, change: 'linked' | 'unlinked') {
  void sendMail('signInMethodChanged', user.email, {
    firstName: user.firstName,
    provider: PROVIDER_NAMES[provider],
    change,
    link: `${config.appUrl}/settings/security`,
  });
}

/**
 * Links a provider account to a user. The (provider, subject) key is unique, so an identity
 * belongs to one user whatever the timing; one left by a crash (its user never created)
 * is cleared and claimed once.
 */
async function claimIdentity(userId: Types.ObjectId, profile: ProviderProfile, retried = false): Promise<void> {
  try {
    await OAuthIdentity.create({
      userId,
      provider: profile.provider,
      subject: profile.subject,
      email: profile.email,
      emailVerified: profile.emailVerified,
      linkedAt: new Date(),
      lastUsedAt: new Date(),
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const holder = await OAuthIdentity.findOne({ provider: profile.provider, subject: profile.subject }, { userId: 1 }).lean();
    if (holder && String(holder.userId) === String(userId)) return;
    if (!holder) {
      throw new AppError('PROVIDER_ALREADY_LINKED', `Another ${PROVIDER_NAMES[profile.provider]} account is already linked`);
    }
    if (!retried && !(await User.exists({ _id: holder.userId }))) {
      await OAuthIdentity.deleteOne({ _id: holder._id, userId: holder.userId });
      return claimIdentity(userId, profile, true);
    }
    throw new AppError('IDENTITY_IN_USE', `This ${PROVIDER_NAMES[profile.provider]} account belongs to another user`);
  }
}

async function linkAndAudit(
  user: { _id: Types.ObjectId; email: string; firstName: string },
  profile: ProviderProfile,
  via: string,
  requestId: string | undefined,
) {
  await claimIdentity(user._id, profile);
  await User.updateOne({ _id: user._id }, { $addToSet: { linkedProviders: profile.provider }, $inc: { authVersion: 1 } });
  await audit({
    userId: user._id,
    action: 'auth.provider_linked',
    actor: 'user',
    detail: { provider: profile.provider, via },
    requestId,
  });
  noticeMethodChange(user, profile.provider, 'linked');
}

type SignInUser = Parameters<typeof toOwnUser>[0] & {
  _id: Types.ObjectId;
  role: string;
  email: string;
  firstName: string;
  bannedAt?: Date | null;
  suspendedUntil?: Date | null;
  sessionEpoch?: number;
};

async function signInAs(user: SignInUser, client: ClientInfo): Promise<OAuthSignIn> {
  assertMaySignIn(user);
  const tokens = await startSignIn(user, client);
  markActive(user._id);
  countLater(() => recordEvent('signin', { userId: String(user._id) }));
  return { status: 'signed_in', user: toOwnUser(user), ...tokens };
}

const findUser = (filter: Record<string, unknown>) =>
  User.findOne(filter, `${OWN_FIELDS} bannedAt suspendedUntil sessionEpoch`).lean() as Promise<SignInUser | null>;

/** Keeps a first sign-in waiting for the missing profile fields (a second one replaces it). */
async function awaitProfile(profile: ProviderProfile): Promise<OAuthSignIn> {
  const signupToken = randomToken();
  const expiresAt = new Date(Date.now() + config.oauth.signupTtlMs);
  const given = { email: profile.email, firstName: profile.firstName, lastName: profile.lastName };
  await OAuthSignup.updateOne(
    { provider: profile.provider, subject: profile.subject },
    { $set: { tokenHash: sha256(signupToken), emailVerified: profile.emailVerified, expiresAt, ...given } },
    { upsert: true },
  );
  const missing = [...(['firstName', 'lastName', 'email'] as const).filter((field) => !given[field]), ...PROFILE_FIELDS];
  return {
    status: 'profile_required',
    signupToken,
    expiresAt,
    missing,
    profile: { ...given, emailVerified: profile.emailVerified },
  };
}

/**
 * Sign-in with a provider. The account is found by the provider's subject; an email only
 * leads to an existing account when the provider vouches for it and the account proved it
 * too (and never for an Apple relay alias), and then the provider is linked. Anyone else
 * with that address gets ACCOUNT_EXISTS; a new person gets the fields still needed.
 */
export async function signInWithProvider(
  provider: OAuthProvider,
  credential: ProviderCredential,
  client: ClientInfo,
): Promise<OAuthSignIn> {
  const profile = await identify(provider, credential);
  await spendToken(profile);
  const identity = await OAuthIdentity.findOne({ provider, subject: profile.subject }, { userId: 1 }).lean();
  if (identity) {
    // The account's list is the truth: an identity it does not name was left by an unlink cut short.
    const user = await findUser({ _id: identity.userId, linkedProviders: provider });
    if (!user) await OAuthIdentity.deleteOne({ _id: identity._id });
    else {
      await OAuthIdentity.updateOne(
        { _id: identity._id },
        { $set: { lastUsedAt: new Date(), email: profile.email, emailVerified: profile.emailVerified } },
      );
      return signInAs(user, client);
    }
  }
  if (profile.email) {
    const owner = await findUser({ email: profile.email });
    if (owner) {
      if (profile.emailVerified && !profile.privateRelay && owner.emailVerified) {
        await linkAndAudit(owner, profile, 'sign_in', client.requestId);
        return signInAs(owner, client);
      }
      throw new AppError(
        'ACCOUNT_EXISTS',
        `An account already uses this email address: sign in to it, then link ${PROVIDER_NAMES[provider]} in your settings`,
        { provider },
      );
    }
  }
  return awaitProfile(profile);
}

export type CompleteSignupInput = Omit<
  NewUserInput,
  'firstName' | 'lastName' | 'email' | 'passwordHash' | 'emailVerified' | '_id'
> & {
  signupToken: string;
  firstName?: string;
  lastName?: string;
  email?: string;
};

const invalidSignupToken = () =>
  new AppError('INVALID_SIGNUP_TOKEN', 'This sign-up has expired or was finished; sign in with the provider again');

/** Creates the account of a first social sign-in from the fields the client now sends. */
export async function completeSignup(input: CompleteSignupInput, client: ClientInfo): Promise<AuthResult> {
  const { signupToken, ...fields } = input;
  const pending = await OAuthSignup.findOne({ tokenHash: sha256(signupToken), expiresAt: { $gt: new Date() } }).lean();
  if (!pending) throw invalidSignupToken();
  // What the provider gave stands (the client cannot swap in another email); the rest comes from the client.
  const firstName = pending.firstName ?? fields.firstName;
  const lastName = pending.lastName ?? fields.lastName;
  const email = pending.email ?? fields.email;
  const absent = Object.entries({ firstName, lastName, email })
    .filter(([, value]) => !value)
    .map(([field]) => ({ field, message: 'is required' }));
  if (absent.length) throw new AppError('VALIDATION_FAILED', 'Some fields are missing', absent);
  const provider = pending.provider as OAuthProvider;
  const profile: ProviderProfile = {
    provider,
    subject: pending.subject,
    email: pending.email ?? undefined,
    emailVerified: Boolean(pending.email) && pending.emailVerified,
    privateRelay: false,
  };
  const userId = new Types.ObjectId();
  await claimIdentity(userId, profile);
  let user;
  try {
    user = await createUser({
      ...fields,
      _id: userId,
      firstName: firstName!,
      lastName: lastName!,
      email: normaliseIdentifier(email!),
      emailVerified: profile.emailVerified,
      linkedProviders: [provider],
    });
  } catch (err) {
    // The pending sign-up stays, so the client can fix the field (a taken username) and send again.
    await OAuthIdentity.deleteOne({ userId, provider });
    throw err;
  }
  await OAuthSignup.deleteOne({ _id: pending._id });
  await audit({
    userId,
    action: 'auth.provider_linked',
    actor: 'user',
    detail: { provider, via: 'signup' },
    requestId: client.requestId,
  });
  if (!profile.emailVerified) await sendVerificationEmail(user);
  const tokens = await startSignIn(user, client);
  return { user: toOwnUser(user.toObject()), ...tokens };
}

/** Links a provider to the signed-in account (the same provider account again is a no-op). */
export async function linkProvider(
  userId: string,
  sessionId: string,
  provider: OAuthProvider,
  credential: ProviderCredential,
  requestId: string | undefined,
) {
  await assertRecentlyAuthenticated(userId, sessionId);
  const user = await User.findById(userId, { email: 1, firstName: 1, emailVerified: 1 }).lean();
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  // An address nobody has proved could be someone else's: it collects no other ways in.
  if (!user.emailVerified) {
    throw new AppError('EMAIL_NOT_VERIFIED', 'Confirm your email address before adding another way to sign in');
  }
  const profile = await identify(provider, credential);
  await spendToken(profile);
  const existing = await OAuthIdentity.findOne({ provider, subject: profile.subject }, { userId: 1 }).lean();
  if (!existing || String(existing.userId) !== userId) await linkAndAudit(user, profile, 'settings', requestId);
  return listSignInMethods(userId);
}

/**
 * Unlinks a provider while another way to sign in remains (a password or another
 * provider). The check and the removal are one conditional update of the account, made on
 * the version the check read, so two unlinks at once cannot both pass it.
 */
export async function unlinkProvider(userId: string, sessionId: string, provider: OAuthProvider, requestId: string | undefined) {
  await assertRecentlyAuthenticated(userId, sessionId);
  for (let attempt = 0; attempt < 5; attempt++) {
    const user = await User.findById(userId, 'passwordHash linkedProviders authVersion email firstName').lean();
    if (!user) throw new AppError('NOT_FOUND', 'User not found');
    const linked = user.linkedProviders ?? [];
    if (!linked.includes(provider)) throw new AppError('NOT_LINKED', `${PROVIDER_NAMES[provider]} is not linked to this account`);
    if (linked.length - 1 + (user.passwordHash ? 1 : 0) === 0) {
      throw new AppError('LAST_SIGN_IN_METHOD', 'Set a password or link another provider before unlinking the last one');
    }
    const removed = await User.updateOne(
      { _id: userId, authVersion: user.authVersion ?? null },
      { $pull: { linkedProviders: provider }, $inc: { authVersion: 1 } },
    );
    if (removed.modifiedCount === 0) continue;
    await OAuthIdentity.deleteOne({ userId, provider });
    await audit({ userId: user._id, action: 'auth.provider_unlinked', actor: 'user', detail: { provider }, requestId });
    noticeMethodChange(user, provider, 'unlinked');
    return listSignInMethods(userId);
  }
  throw new AppError('CONCURRENT_UPDATE', 'Sign-in methods changed meanwhile; try again');
}

export async function listSignInMethods(userId: string) {
  const [user, identities] = await Promise.all([
    User.findById(userId, 'passwordHash linkedProviders').lean(),
    OAuthIdentity.find({ userId }, { provider: 1, email: 1, linkedAt: 1, lastUsedAt: 1 }).lean(),
  ]);
  if (!user) throw new AppError('NOT_FOUND', 'User not found');
  return {
    password: Boolean(user.passwordHash),
    providers: identities
      .filter((i) => user.linkedProviders?.includes(i.provider))
      .map((i) => ({
        provider: i.provider,
        email: i.email ?? null,
        linkedAt: i.linkedAt,
        lastUsedAt: i.lastUsedAt ?? null,
      })),
  };
}

/** Expired pending sign-ups and spent-token records (no TTL indexes on FerretDB). */
export async function deleteExpiredOAuthRecords(now = new Date()): Promise<number> {
  const [signups, nonces] = await Promise.all([
    OAuthSignup.deleteMany({ expiresAt: { $lt: now } }),
    OAuthNonce.deleteMany({ expiresAt: { $lt: now } }),
  ]);
  return signups.deletedCount + nonces.deletedCount;
}

/** What the web app's sign-in page offers: Google's button needs the web client id (public). */
export function webSignInProviders() {
  const { webClientId } = config.oauth.google;
  return { google: webClientId ? { clientId: webClientId } : null };
}
