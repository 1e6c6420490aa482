import { inGoodStanding } from './standing.js';
import { Types } from 'mongoose';
import { User } from '../../models/user.model.js';
import { birthDateRange } from '../../utils/age.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { bandRadiusKm, coarseDistanceKm, coarsePoint, coveringCells, type LatLng } from '../../utils/geo.js';
import { normaliseForSearch, SEARCH_PREFIX_MAX } from '../../utils/search-keys.js';
import { escapeRegex } from '../../utils/text.js';
import { hiddenUserIds } from './block.service.js';
import { toUserCard, type UserCard } from './profile.service.js';
import { CARD_SOURCE_FIELDS, type CardSource } from './user.service.js';
import { isObjectIdString, openCursor, sealCursor } from '../page-cursor.js';

export const SEARCH_DEFAULT_PAGE = 20;

export interface SearchInput {
  q?: string;
  interests?: string[];
  minAge?: number;
  maxAge?: number;
  maxDistanceKm?: number;
  preference?: string;
  gender?: string;
  limit: number;
  cursor?: string;
}

export interface SearchPage {
  users: UserCard[];
  nextCursor: string | null;
}

type UserFilter = Record<string, unknown>;
type Found = CardSource & { _id: Types.ObjectId };

// A radius up to this covers few enough people to drive the query (see drivers below).
const NARROW_RADIUS_KM = 100;
// Rounds of reading before a page is returned short (with a cursor to go on).
const MAX_ROUNDS = 4;

function findPage(filter: UserFilter, limit: number): Promise<Found[]> {
  return User.find(filter, CARD_SOURCE_FIELDS).sort({ _id: -1 }).limit(limit).lean<Found[]>().exec();
}

/**
 * People by name prefix, interests, age, distance, preference and gender, newest
 * first, by cursor. Each query has an indexed equality part ("driver"): a name prefix,
 * an interest, or a grid cell around the searcher; several drivers (any of the
 * interests, the cells of a radius) run side by side and merge by _id. The other
 * filters narrow the rows the driver selected, and the distance between the two grid-cell
 * centres is checked here against the radius widened to its band edge.
 */
export async function searchUsers(searcherId: string, input: SearchInput): Promise<SearchPage> {
  const searcher = await User.findById(searcherId, { location: 1 }).lean();
  if (!searcher) throw notFound('User');
  const origin = searcher.location ? coarsePoint(searcher.location) : null;
  if (input.maxDistanceKm !== undefined && !origin) {
    throw new AppError('LOCATION_REQUIRED', 'Share your location (PATCH /users/me) to search by distance');
  }
  if (input.minAge !== undefined && input.maxAge !== undefined && input.minAge > input.maxAge) {
    throw new AppError('INVALID_AGE_RANGE', 'minAge must not exceed maxAge');
  }
  const q = input.q === undefined ? undefined : normaliseForSearch(input.q);
  // The radius widens to its band edge: membership says nothing finer than the band.
  const radiusKm = input.maxDistanceKm === undefined ? undefined : bandRadiusKm(input.maxDistanceKm);
  const cells = radiusKm !== undefined && origin ? coveringCells(origin, radiusKm) : undefined;

  // The filter likely to select the fewest rows drives; the rest are conditions on its rows.
  // A name prefix is the narrowest, then a small radius; popular interests select many.
  // Equalities on stored defaults rather than $ne: FerretDB pushes equalities down to PostgreSQL.
  const filter: UserFilter = { 'settings.privacy.discoverable': true, ...inGoodStanding() };
  const byCells = () => cells!.map((cell) => ({ geoCells: cell }));
  let drivers: UserFilter[];
  if (q) {
    drivers = [{ searchPrefixes: [...q].slice(0, SEARCH_PREFIX_MAX).join('') }];
    if ([...q].length > SEARCH_PREFIX_MAX) filter.searchNames = { $regex: `^${escapeRegex(q)}` };
  } else if (cells && radiusKm! <= NARROW_RADIUS_KM) drivers = byCells();
  else if (input.interests?.length) drivers = input.interests.map((tag) => ({ interests: tag }));
  else if (cells) drivers = byCells();
  else throw new AppError('SEARCH_TOO_BROAD', 'Search by q, interests or maxDistanceKm');

  if (input.interests?.length && !('interests' in drivers[0]!)) filter.interests = { $in: input.interests };
  if (cells && !('geoCells' in drivers[0]!)) filter.geoCells = { $in: cells };
  if (cells) filter['settings.privacy.showDistance'] = true;
  if (input.gender) filter.gender = input.gender;
  if (input.preference) filter.preference = input.preference;
  if (input.minAge !== undefined || input.maxAge !== undefined) {
    // People who hide their age never match an age filter: it would reveal it.
    filter['settings.privacy.showAge'] = true;
    const { latest, earliestExclusive } = birthDateRange(input.minAge, input.maxAge);
    filter.dateOfBirth = { ...(latest && { $lte: latest }), ...(earliestExclusive && { $gt: earliestExclusive }) };
  }
  const excluded = [new Types.ObjectId(searcherId), ...(await hiddenUserIds(searcherId))];
  const within = (u: Found) => !cells || (u.location && origin && coarseDistanceKm(origin, u.location) < radiusKm!);

  // The distance check drops the cells' corners, so read more per round then. (FerretDB
  // reads every row the equality selects whatever the limit; only the transfer grows.)
  const batchSize = cells ? Math.min(input.limit * 4, 200) : input.limit;
  const users: Found[] = [];
  // Sealed: the position can be someone the searcher does not get (outside the radius).
  let after = input.cursor ? new Types.ObjectId(openCursor(CURSOR, input.cursor, isObjectIdString)) : undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const idFilter = { $nin: excluded, ...(after && { $lt: after }) };
    const batches = await Promise.all(drivers.map((d) => findPage({ ...filter, ...d, _id: idFilter }, batchSize)));
    // Below the highest last id of a full batch, that driver may hold rows not read yet.
    const full = batches.filter((b) => b.length === batchSize);
    const floor = full.length ? full.map((b) => hex(b.at(-1)!)).reduce((a, b) => (a > b ? a : b)) : undefined;
    const merged = new Map<string, Found>();
    for (const u of batches.flat()) if (!floor || hex(u) >= floor) merged.set(hex(u), u);
    const ordered = [...merged.values()].sort((a, b) => (hex(a) > hex(b) ? -1 : 1));
    for (const u of ordered) {
      if (!within(u)) continue;
      users.push(u);
      if (users.length === input.limit) return page(users, origin, String(u._id));
    }
    if (!floor) return page(users, origin, null);
    after = new Types.ObjectId(floor);
  }
  return page(users, origin, String(after));
}

// Same-length hex strings order as the ids do.
const hex = (u: Found) => u._id.toHexString();

const CURSOR = 'search';

const page = (users: Found[], origin: LatLng | null, nextCursor: string | null): SearchPage => ({
  users: users.map((u) => toUserCard(u, origin)),
  nextCursor: nextCursor ? sealCursor(CURSOR, nextCursor) : null,
});
