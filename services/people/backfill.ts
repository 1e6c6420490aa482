import type { Types } from 'mongoose';
import { User } from '../../models/user.model.js';
import { geoCellsOf } from '../../utils/geo.js';
import { nameSearchKeys } from '../../utils/search-keys.js';

const PAGE = 200;

/**
 * Walks every user by _id, a page at a time, and writes what `fix` returns for each
 * (nothing when it returns undefined). One update at a time: FerretDB stalls on large
 * bulk writes, and a migration is not in a hurry. Returns how many users were changed.
 */
async function eachUser<T>(
  projection: Record<string, 1>,
  fix: (user: T & { _id: Types.ObjectId }) => Record<string, unknown> | undefined,
): Promise<number> {
  let after: Types.ObjectId | undefined;
  let changed = 0;
  for (;;) {
    const page = await User.find(after ? { _id: { $gt: after } } : {}, projection)
      .sort({ _id: 1 })
      .limit(PAGE)
      .lean<(T & { _id: Types.ObjectId })[]>();
    for (const user of page) {
      const set = fix(user);
      if (!set) continue;
      await User.collection.updateOne({ _id: user._id }, { $set: set });
      changed++;
    }
    if (page.length < PAGE) return changed;
    after = page.at(-1)!._id;
  }
}

const sameList = (a: string[] | undefined, b: string[]) => a?.length === b.length && a.every((v, i) => v === b[i]);

/** Name search keys (searchNames, searchPrefixes) for every user whose stored keys are not today's. */
export function backfillSearchKeys(): Promise<number> {
  return eachUser<{ firstName: string; lastName: string; username: string; searchNames?: string[]; searchPrefixes?: string[] }>(
    { firstName: 1, lastName: 1, username: 1, searchNames: 1, searchPrefixes: 1 },
    (u) => {
      const keys = nameSearchKeys(u);
      return sameList(u.searchNames, keys.searchNames) && sameList(u.searchPrefixes, keys.searchPrefixes)
        ? undefined
        : { ...keys };
    },
  );
}

/** Geo cells for every user with a location whose cells are missing or not today's. */
export function backfillGeoCells(): Promise<number> {
  return eachUser<{ location?: { lat: number; lng: number }; geoCells?: string[] }>({ location: 1, geoCells: 1 }, (u) => {
    if (u.location?.lat === undefined || u.location.lng === undefined) return undefined;
    const cells = geoCellsOf(u.location);
    return sameList(u.geoCells, cells) ? undefined : { geoCells: cells };
  });
}
