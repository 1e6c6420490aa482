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
import { deckRecordsOf, type DeckRecords } from '../connections/connection.service.js';
import { DeckPool, type Candidate } from './deck-pool.js';
import { isObjectIdString, openCursor, sealCursor } from '../page-cursor.js';
import { PUBLIC_SOURCE_FIELDS, showsDistance, toPublicProfile, type PublicProfile } from './profile.service.js';

// The largest radius discovery reads, whatever a user asks for: beyond it cells hold too many people.
const DISCOVERY_MAX_KM = 500;
const DAY_MS = 86_400_000;
// People asked about one by one per request, for someone whose records are too many to read
// whole: past it the page ends early, with a cursor to go on from. (So does a pool read
// PAGES_PER_DRIVER deep: a heavy swiper's deck reaches that far past the people swiped.)
const ASK_BUDGET = 300;
// The most asked at once: batches grow with what was asked so far, as a run of swiped people
// suggests more of them.
const ASK_BATCH_MAX = 64;

interface Ranked {
  score: number;
  id: string;
}

/**
 * Takes cards in rank order, passing over anyone left out: a page of `limit`, and where the
 * next page starts (null: no more among these). Whom the records do not settle is asked of
 * them in batches, as far as needed, within ASK_BUDGET for the whole request.
 */
function deckWalk(records: DeckRecords, limit: number) {
  const out = new Map<string, boolean>();
  let asked = 0;
  return async (rest: Ranked[]): Promise<{ cards: Ranked[]; next: Ranked | null }> => {
    const inDeck: Ranked[] = [];
    for (let i = 0; i < rest.length && inDeck.length <= limit;) {
      const r = rest[i]!;
      if (records.complete || out.has(r.id)) {
        if (!out.get(r.id)) inDeck.push(r);
        i++;
        continue;
      }
      // Out of budget: this page ends here, and the next begins after the last one passed.
      if (asked >= ASK_BUDGET && i > 0) return { cards: inDeck, next: rest[i - 1]! };
      const batch = rest
        .slice(i)
        .filter((x) => !out.has(x.id))
        .slice(0, Math.max(limit + 1 - inDeck.length, Math.min(asked, ASK_BATCH_MAX)))
        .map((x) => x.id);
      const leftOut = await records.among(batch);
      asked += batch.length;
      for (const id of batch) out.set(id, leftOut.has(id));
    }
    const cards = inDeck.slice(0, limit);
    return { cards, next: inDeck.length > limit ? cards.at(-1)! : null };
  };
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
  // Blocks both ways are passed over here; my records (a bounded number of them) are left out
  // by the query, and any others asked about as the walk meets them.
  const blocked = new Set(hidden.map(String));
  const filter: Record<string, unknown> = {
    preference: me.preference,
    'settings.privacy.discoverable': true,
    ...inGoodStanding(),
    _id: { $nin: [userId, ...records.paired].map((id) => new Types.ObjectId(id)) },
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

  const pool = new DeckPool(
    drivers.map((d) => ({ ...filter, ...d })),
    (id) => blocked.has(id),
  );
  const walk = deckWalk(records, page.limit);
  const ranked: Ranked[] = [];
  let found: { cards: Ranked[]; next: Ranked | null };
  do {
    for (const user of await pool.deeper()) {
      const r = rankOf(user);
      if (r) ranked.push(r);
    }
    ranked.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : -1));
    const start = after ? ranked.findIndex((r) => r.score < after.s || (r.score === after.s && r.id < after.id)) : 0;
    found = await walk(start < 0 ? [] : ranked.slice(start));
    // Short of a page and nothing more to say: the next most active may fill it.
  } while (!found.next && pool.canGoDeeper);
  const slice = found.cards;
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
    nextCursor: found.next ? sealCursor(CURSOR, { s: found.next.score, id: found.next.id }) : null,
  };
}
