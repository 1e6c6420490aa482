import { inGoodStanding } from './standing.js';
import { User, type GENDERS } from '../../models/user.model.js';
import { ageOn, birthDateRange, MAX_AGE, MIN_AGE, narrowsAges } from '../../utils/age.js';
import { notFound } from '../../utils/app-error.js';
import {
  BAND_COUNT,
  bandIndex,
  bandRadiusKm,
  coarsePoint,
  coveringCells,
  distanceKm,
  hiddenRegionCellOf,
  regionCellOf,
  type LatLng,
} from '../../utils/geo.js';
import { hiddenUserIds } from './block.service.js';
import { countLater, recordMatchingOutcome } from '../analytics/record.js';
import { reciprocalScore, SCALE } from '../match/taste/ranking.js';
import { noteShown } from '../match/taste/signals.js';
import { sideOf, variantOf } from '../match/taste/taste.service.js';
import { runtime } from '../runtime-settings.service.js';
import { Types } from 'mongoose';
import { deckRecordsOf } from '../connections/connection.service.js';
import { deckPool, type Candidate, type PoolShape } from './deck-pool.js';
import { isObjectIdString, openCursor, sealCursor } from '../page-cursor.js';
import { PUBLIC_SOURCE_FIELDS, showsDistance, toPublicProfile, type PublicProfile } from './profile.service.js';

// The largest radius discovery reads, whatever a user asks for: beyond it cells hold too many people.
const DISCOVERY_MAX_KM = 500;
const DAY_MS = 86_400_000;
// A deck's pool: the 100 most recently active per cell or interest, enough to rank a feed of
// several pages (swiped people drop out, so the next most active come in). For someone whose
// records are too many to leave out in the query, each candidate is looked up instead: fewer
// per driver, read deeper past the people swiped, within a budget of lookups per request.
const POOL: PoolShape = { perDriver: 100, maxPages: 1, askBudget: Infinity };
const HEAVY_SWIPER_POOL: PoolShape = { perDriver: 40, maxPages: 10, askBudget: 800 };

interface Ranked {
  score: number;
  id: string;
}

/**
 * The ages I look for. People who hide their age never match a narrowed range, as in search:
 * being listed for "exactly 34" would tell theirs. The whole range (the default) filters nobody.
 */
function ageFilterOf(lookingFor: { minAge?: number; maxAge?: number } = {}): Record<string, unknown> {
  if (!narrowsAges(lookingFor)) return {};
  const { latest, earliestExclusive } = birthDateRange(lookingFor.minAge, lookingFor.maxAge);
  return { 'settings.privacy.showAge': true, dateOfBirth: { $lte: latest, $gt: earliestExclusive } };
}

/**
 * Ranking in [0, 1000]: shared interests first, then nearness, then recent activity. Stable
 * within a day. Nearness counts the distance band only (and nothing for someone who hides
 * their distance), so not even the order of cards says more than the band.
 */
export function scoreOf(
  me: { interests: string[] },
  them: Pick<Candidate, 'interests' | 'lastActiveAt'>,
  band: number | null,
  now: number,
): number {
  const mine = new Set(me.interests);
  const shared = (them.interests ?? []).filter((t) => mine.has(t)).length;
  const interest = mine.size ? shared / Math.min(mine.size, 5) : 0;
  const near = band === null ? 0.5 : 1 - band / (BAND_COUNT - 1);
  const idleDays = them.lastActiveAt ? Math.floor((now - them.lastActiveAt.getTime()) / DAY_MS) : Infinity;
  const active = idleDays <= 1 ? 1 : idleDays <= 7 ? 0.6 : idleDays <= 30 ? 0.3 : 0;
  return Math.round(1000 * (0.5 * Math.min(1, interest) + 0.3 * near + 0.2 * active));
}

/** The cursor holds the last card's (score, id), sealed: the score is never shown. */
const CURSOR = 'discover';
const isPosition = (v: unknown): v is { s: number; id: string } =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as { s?: unknown }).s === 'number' &&
  isObjectIdString((v as { id?: unknown }).id);

export interface DiscoveryPage {
  profiles: PublicProfile[];
  nextCursor: string | null;
}

/**
 * The swipe feed: people who fit both ways (same preference, each within the other's
 * genders, ages and distance), never oneself, anyone with a connection record either
 * way (any outcome), blocked either way, banned or hidden. Candidates come from the grid
 * cells within the user's distance (or, without a location, their interests): each an
 * indexed equality lookup with every other equality pushed into it; the rest is
 * checked and ranked here.
 */
export async function discover(userId: string, page: { limit: number; cursor?: string }): Promise<DiscoveryPage> {
  const me = await User.findById(userId, {
    location: 1,
    lookingFor: 1,
    preference: 1,
    gender: 1,
    dateOfBirth: 1,
    interests: 1,
    'settings.privacy.showAge': 1,
    taste: 1,
  }).lean();
  if (!me) throw notFound('User');
  const now = Date.now();
  // The adaptive part: the admins' switch (or this person's half of an A/B split) and its share.
  const adaptive = variantOf(userId) === 'adaptive';
  const blend = runtime().matchingBlend;
  const mySide = adaptive ? sideOf(me, now) : null;
  const after = page.cursor ? openCursor(CURSOR, page.cursor, isPosition) : undefined;
  const myAge = ageOn(me.dateOfBirth);
  const wanted = me.lookingFor?.genders?.length ? me.lookingFor.genders : undefined;
  // Radii are applied at band edges: whether someone fits depends on their band alone.
  const limitKm = bandRadiusKm(Math.min(me.lookingFor?.maxDistanceKm ?? 100, DISCOVERY_MAX_KM));
  const origin: LatLng | null = me.location ? coarsePoint(me.location) : null;
  const region = origin ? regionCellOf(origin) : null;

  const drivers = origin
    ? [
        ...coveringCells(origin, limitKm).map((cell) => ({ geoCells: cell })),
        // People who hide their distance are matched by region, whatever the radius.
        { geoCells: hiddenRegionCellOf(origin) },
      ]
    : (me.interests ?? []).slice(0, 5).map((tag) => ({ interests: tag }));
  if (drivers.length === 0) return { profiles: [], nextCursor: null };

  const [hidden, records] = await Promise.all([hiddenUserIds(userId), deckRecordsOf(userId)]);
  // Left out by the query: myself, blocks both ways and my records (a bounded number of them;
  // any others are looked up as candidates come).
  const filter: Record<string, unknown> = {
    preference: me.preference,
    'settings.privacy.discoverable': true,
    ...inGoodStanding(),
    _id: { $nin: [new Types.ObjectId(userId), ...hidden, ...records.paired.map((id) => new Types.ObjectId(id))] },
    ...ageFilterOf(me.lookingFor),
    // One wanted gender is an equality FerretDB pushes down; several are checked after.
    ...(wanted && { gender: wanted.length === 1 ? wanted[0] : { $in: wanted } }),
  };

  /** Their side of the fit (my gender, my age and the distance they accept), then the rank. */
  const rankOf = (user: Candidate): Ranked | null => {
    const theirs = user.lookingFor;
    if (theirs?.genders?.length && !theirs.genders.includes(me.gender as (typeof GENDERS)[number])) return null;
    if (myAge < (theirs?.minAge ?? MIN_AGE) || myAge > (theirs?.maxAge ?? MAX_AGE)) return null;
    let band: number | null = null;
    if (origin && user.location) {
      const theirPoint = coarsePoint(user.location);
      if (!showsDistance(user)) {
        if (regionCellOf(theirPoint) !== region) return null;
      } else {
        const km = distanceKm(origin, theirPoint);
        if (km >= Math.min(limitKm, bandRadiusKm(theirs?.maxDistanceKm ?? 100))) return null;
        band = bandIndex(km);
      }
    }
    // The explicit fit; blended with the chance the interest is mutual for the adaptive ranking.
    const explicit = scoreOf({ interests: me.interests ?? [] }, user, band, now) / 1000;
    const score = mySide ? reciprocalScore(mySide, sideOf(user, now), explicit, blend) : Math.round(explicit * SCALE);
    return { score, id: String(user._id) };
  };

  const candidates = await deckPool(
    drivers.map((d) => ({ ...filter, ...d })),
    (ids) => records.among(ids),
    records.complete ? POOL : HEAVY_SWIPER_POOL,
  );
  const ranked = candidates.flatMap((user) => rankOf(user) ?? []);
  ranked.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : -1));
  const start = after ? ranked.findIndex((r) => r.score < after.s || (r.score === after.s && r.id < after.id)) : 0;
  const rest = start < 0 ? [] : ranked.slice(start);
  const slice = rest.slice(0, page.limit);
  const last = slice.at(-1);
  // Full profiles for the page only, one indexed read each.
  const profiles = await Promise.all(
    slice.map((r) => User.findOne({ _id: r.id, ...inGoodStanding() }, PUBLIC_SOURCE_FIELDS).lean()),
  );
  const shownIds = slice.filter((_, i) => profiles[i]).map((r) => r.id);
  noteShown(userId, shownIds);
  countLater(() => recordMatchingOutcome(adaptive ? 'adaptive' : 'explicit', 'cards', shownIds.length));
  return {
    profiles: slice.flatMap((r, i) => {
      const user = profiles[i];
      return user ? [toPublicProfile(user, origin)] : [];
    }),
    nextCursor: rest.length > page.limit && last ? sealCursor(CURSOR, { s: last.score, id: last.id }) : null,
  };
}
