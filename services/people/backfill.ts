import { normaliseIdentifier } from '../../utils/text.js';
import type { Types } from 'mongoose';
import { User } from '../../models/user.model.js';
import { eachById } from '../each-by-id.js';
import { showsDistance, storedLocation } from './profile.service.js';
import { nameSearchKeys } from '../../utils/search-keys.js';
import { isDuplicateKey } from '../../utils/duplicate-key.js';
import { logger } from '../../utils/logger.js';

/**
 * Walks every user by _id, a page at a time, and writes what `fix` returns for each
 * (nothing when it returns undefined). One update at a time: FerretDB stalls on large
 * bulk writes, and a migration is not in a hurry. The update holds only while the fields
 * it was computed from (`basis`) are unchanged: the old code still serves during a deploy's
 * migrations, and a rename meanwhile keeps its own keys. Through the collection, so the
 * schema's defaults and timestamps stay out of a backfill. Returns how many users changed.
 */
async function eachUser<T extends Record<string, unknown>>(
  projection: Record<string, 1>,
  basis: string[],
  fix: (user: T & { _id: Types.ObjectId }) => Record<string, unknown> | undefined,
): Promise<number> {
  let changed = 0;
  await eachById(
    (filter, size) => User.find(filter, projection).sort({ _id: 1 }).limit(size).lean<(T & { _id: Types.ObjectId })[]>(),
    async (user) => {
      const set = fix(user);
      if (!set) return;
      const unchanged = Object.fromEntries(basis.map((f) => [f, valueAt(user, f) ?? null]));
      const res = await User.collection.updateOne({ _id: user._id, ...unchanged }, { $set: set });
      changed += res.modifiedCount;
    },
  );
  return changed;
}

/** A field's value by its dotted path (`settings.privacy.showDistance`). */
const valueAt = (doc: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), doc);

const sameList = (a: string[] | undefined, b: string[]) => a?.length === b.length && a.every((v, i) => v === b[i]);

/** Name search keys (searchNames, searchPrefixes) for every user whose stored keys are not today's. */
export function backfillSearchKeys(): Promise<number> {
  return eachUser<{ firstName: string; lastName: string; username: string; searchNames?: string[]; searchPrefixes?: string[] }>(
    { firstName: 1, lastName: 1, username: 1, searchNames: 1, searchPrefixes: 1 },
    ['firstName', 'lastName', 'username'],
    (u) => {
      const keys = nameSearchKeys(u);
      return sameList(u.searchNames, keys.searchNames) && sameList(u.searchPrefixes, keys.searchPrefixes)
        ? undefined
        : { ...keys };
    },
  );
}

/**
 * Geo cells for every user who consented to a location and whose cells are missing or not
 * today's: the same cells a profile save stores (storedLocation), so someone hiding their
 * distance keeps the hidden-region cell that keeps them out of distance searches.
 */
export function backfillGeoCells(): Promise<number> {
  type Placed = {
    location?: { lat: number; lng: number };
    geoCells?: string[];
    locationConsent?: boolean;
    settings?: { privacy?: { showDistance?: boolean | null } | null } | null;
  };
  return eachUser<Placed>(
    { location: 1, geoCells: 1, locationConsent: 1, 'settings.privacy.showDistance': 1 },
    ['location', 'locationConsent', 'settings.privacy.showDistance'],
    (u) => {
      if (u.locationConsent !== true || u.location?.lat === undefined || u.location.lng === undefined) return undefined;
      const cells = storedLocation(u.location, showsDistance(u)).geoCells;
      return sameList(u.geoCells, cells) ? undefined : { geoCells: cells };
    },
  );
}

/**
 * Addresses stored in decomposed Unicode (before addresses were normalised at sign-up): stored
 * composed, as a sign-in looks them up (those could not sign in by address). Only addresses
 * with a character outside printable ASCII can differ. One whose composed form another account
 * holds is left as it is, and logged, for an admin.
 */
export async function composeStoredEmails(): Promise<number> {
  let changed = 0;
  for (const u of await User.find({ email: { $regex: '[^ -~]' } }, { email: 1 }).lean()) {
    const composed = normaliseIdentifier(u.email);
    if (composed === u.email) continue;
    try {
      changed += (await User.collection.updateOne({ _id: u._id, email: u.email }, { $set: { email: composed } })).modifiedCount;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      logger.warn('an address held twice (composed and decomposed) is left for an admin', { userId: String(u._id) });
    }
  }
  return changed;
}
