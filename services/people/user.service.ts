import { normaliseIdentifier } from '../../utils/text.js';
import { Types } from 'mongoose';
import type { LatLng } from '../../utils/geo.js';
import { User } from '../../models/user.model.js';
import type { ErrorCode } from '../../utils/error-codes.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { isDuplicateKey } from '../../utils/duplicate-key.js';
import { photosOf, type photoView } from './photo.service.js';
import { revokeUserSessions } from '../auth/session.service.js';
import { inGoodStanding } from './standing.js';
import { findOneByCommand } from '../database.service.js';

/** What a signed-in user sees of their own account (never the hash). */
export const OWN_FIELDS =
  'firstName lastName gender dateOfBirth email emailVerified phone username preference interests bio country language lookingFor settings availability availableForMatching locationConsent location avatar gallery role plan planExpiresAt verifiedBadge createdAt updatedAt';

export type OwnUser = Record<string, unknown> & { id: string };

const OWN_FIELD_LIST = OWN_FIELDS.split(' ');
const OWN_PROJECTION = Object.fromEntries(OWN_FIELD_LIST.map((field) => [field, 1]));

/** Only whitelisted fields leave the server, whatever the document holds. */
export function toOwnUser(doc: Record<string, unknown> & { _id: unknown }): OwnUser {
  const out: OwnUser = { id: String(doc._id) };
  for (const field of OWN_FIELD_LIST) if (doc[field] !== undefined) out[field] = doc[field];
  // Pictures without their storage keys.
  const { avatar, gallery } = photosOf(doc as Parameters<typeof photosOf>[0]);
  out.avatar = avatar;
  out.gallery = gallery;
  return out;
}

export async function getOwnUser(userId: string): Promise<OwnUser> {
  if (!Types.ObjectId.isValid(userId)) throw notFound('User');
  // Every GET /me and most screens read this: the driver directly, as there is nothing to cast.
  const user = await findOneByCommand<Record<string, unknown> & { _id: Types.ObjectId }>(
    User.collection.collectionName,
    { _id: new Types.ObjectId(userId) },
    OWN_PROJECTION,
  );
  if (!user) throw notFound('User');
  return toOwnUser(user);
}

/**
 * Gives a user a role. A change ends every session at once, in every process: a token
 * carrying the old role (a demoted admin's) stops working now, not when it expires.
 */
export async function setUserRole(userId: Types.ObjectId | string, role: 'user' | 'moderator' | 'admin'): Promise<void> {
  const res = await User.updateOne({ _id: userId }, { $set: { role } });
  if (res.matchedCount === 0) throw notFound('User');
  // Even when the role was already stored: a retry after a failed revocation must end the sessions.
  await revokeUserSessions(userId, 'role_changed');
}

export async function findUserIdByEmail(email: string): Promise<Types.ObjectId | null> {
  const user = await User.findOne({ email: normaliseIdentifier(email) }, { _id: 1 }).lean();
  return user?._id ?? null;
}

const DUPLICATE_CODES: Record<string, ErrorCode> = { email: 'EMAIL_TAKEN', username: 'USERNAME_TAKEN', phone: 'PHONE_TAKEN' };

/**
 * Maps a duplicate-key error on a user to a 409 naming the field. MongoDB names the
 * index; FerretDB does not, so then each unique field is looked up (error path only).
 */
export async function duplicateUserField(
  err: unknown,
  values: { email?: string; username?: string; phone?: string },
): Promise<AppError | null> {
  if (!isDuplicateKey(err)) return null;
  let field = Object.keys(err.keyPattern ?? {}).find((k) => k in DUPLICATE_CODES);
  if (!field) {
    for (const candidate of ['email', 'username', 'phone'] as const) {
      const value = values[candidate];
      if (value && (await User.exists({ [candidate]: value.toLowerCase() }))) {
        field = candidate;
        break;
      }
    }
  }
  if (!field) return null;
  return new AppError(DUPLICATE_CODES[field]!, `This ${field} is already in use`, { field });
}

/** What a card needs from the stored user. */
export const CARD_SOURCE_FIELDS =
  'username firstName lastName dateOfBirth interests verifiedBadge location settings.privacy avatar';
export type CardSource = {
  _id: unknown;
  username: string;
  firstName: string;
  lastName: string;
  dateOfBirth: Date;
  interests?: string[] | null;
  verifiedBadge?: boolean | null;
  location?: LatLng | null;
  settings?: { privacy?: { showAge?: boolean | null; showDistance?: boolean | null } | null } | null;
  avatar?: Parameters<typeof photoView>[0] | null;
};

/**
 * Card sources by id, one indexed read each, of people others may see now: banned (and
 * deleted) accounts left out, and suspended ones unless `evenSuspended` (one's own block
 * list still names them). A page is small, and `_id: { $in }` is a full scan on FerretDB.
 */
export async function usersById(
  ids: string[],
  { evenSuspended = false } = {},
): Promise<Map<string, CardSource & { _id: Types.ObjectId }>> {
  const standing = evenSuspended ? { bannedAt: null } : inGoodStanding();
  const found = await Promise.all(
    ids.map((id) => User.findOne({ _id: id, ...standing }, CARD_SOURCE_FIELDS).lean<CardSource & { _id: Types.ObjectId }>()),
  );
  return new Map(found.filter((u) => u !== null).map((u) => [String(u._id), u]));
}
