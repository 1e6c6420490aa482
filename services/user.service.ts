import { Types } from 'mongoose';
import { User } from '../models/user.model.js';
import { AppError, notFound } from '../utils/app-error.js';

/** What a signed-in user sees of their own account (never the hash). */
export const OWN_FIELDS =
  'firstName lastName gender dateOfBirth email emailVerified phone username preference interests locationConsent location role plan planExpiresAt verifiedBadge createdAt updatedAt';

export type OwnUser = Record<string, unknown> & { id: string };

const OWN_FIELD_LIST = OWN_FIELDS.split(' ');

/** Only whitelisted fields leave the server, whatever the document holds. */
export function toOwnUser(doc: Record<string, unknown> & { _id: unknown }): OwnUser {
  const out: OwnUser = { id: String(doc._id) };
  for (const field of OWN_FIELD_LIST) if (doc[field] !== undefined) out[field] = doc[field];
  return out;
}

export async function getOwnUser(userId: string): Promise<OwnUser> {
  if (!Types.ObjectId.isValid(userId)) throw notFound('User');
  const user = await User.findById(userId, OWN_FIELDS).lean();
  if (!user) throw notFound('User');
  return toOwnUser(user);
}

/** Sets a role: the create-admin script and the admin API use it. */
export async function setUserRole(userId: Types.ObjectId | string, role: 'user' | 'moderator' | 'admin'): Promise<void> {
  const res = await User.updateOne({ _id: userId }, { $set: { role } });
  if (res.matchedCount === 0) throw notFound('User');
}

export async function findUserIdByEmail(email: string): Promise<Types.ObjectId | null> {
  const user = await User.findOne({ email: email.toLowerCase() }, { _id: 1 }).lean();
  return user?._id ?? null;
}

/** Maps a duplicate-key error on a user to a 409 naming the field. */
export function duplicateUserField(err: unknown): AppError | null {
  if (!err || typeof err !== 'object' || (err as { code?: unknown }).code !== 11000) return null;
  const e = err as { keyPattern?: Record<string, unknown>; keyValue?: Record<string, unknown>; message?: string };
  const field = Object.keys(e.keyPattern ?? e.keyValue ?? {})[0] ?? /index: (\w+)_1/.exec(e.message ?? '')?.[1];
  const codes: Record<string, string> = { email: 'EMAIL_TAKEN', username: 'USERNAME_TAKEN', phone: 'PHONE_TAKEN' };
  if (!field || !codes[field]) return null;
  return new AppError(409, codes[field], `This ${field} is already in use`, { field });
}
