import type { Types } from 'mongoose';
import { OAuthIdentity, type OAuthProvider } from '../../../models/oauth-identity.model.js';
import { User } from '../../../models/user.model.js';

/** Providers as people know them. */
export const PROVIDER_NAMES: Record<OAuthProvider, string> = { google: 'Google', apple: 'Apple', facebook: 'Facebook' };

/** An account's linked providers for a sentence: "Google, Apple"; empty when none. */
export const providerNamesOf = (linked: readonly string[]): string =>
  linked.map((p) => PROVIDER_NAMES[p as OAuthProvider] ?? p).join(', ');

/**
 * Takes every provider off an account (the account's list, then the identities) and
 * returns which there were. Both writes are unconditional, so a link landing in between
 * is taken off too.
 */
export async function dropProviderLinks(userId: Types.ObjectId | string): Promise<string[]> {
  const before = await User.findById(userId, { linkedProviders: 1 }).lean();
  await User.updateOne({ _id: userId }, { $set: { linkedProviders: [] }, $inc: { authVersion: 1 } });
  await OAuthIdentity.deleteMany({ userId });
  return before?.linkedProviders ?? [];
}
