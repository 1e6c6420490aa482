import { Types } from 'mongoose';
import { User, type GENDERS } from '../models/user.model.js';
import { ageOn, birthDateRange } from '../utils/age.js';
import { AppError, notFound } from '../utils/app-error.js';
import { coveringCells, distanceKm, type LatLng } from '../utils/geo.js';
import { hiddenUserIds } from './block.service.js';
import { pairedUserIds } from './connection.service.js';
import { PUBLIC_SOURCE_FIELDS, toPublicProfile, type PublicProfile } from './profile.service.js';

export const DISCOVERY_MAX_PAGE = 30;
// The largest radius discovery reads, whatever a user asks for: beyond it cells hold too many people.
const DISCOVERY_MAX_KM = 500;
// People read per cell or interest, most recently active first: enough to rank a feed of
// several pages; swiped people drop out, so the next most active come in.
const CANDIDATES_PER_DRIVER = 100;
// Only what ranking and the two-way fit need; the page's profiles are read afterwards.
const RANKING_FIELDS = 'interests location lookingFor gender dateOfBirth lastActiveAt';
const DAY_MS = 86_400_000;

type Candidate = Awaited<ReturnType<typeof readCandidates>>[number];

function readCandidates(filter: Record<string, unknown>) {
  return User.find(filter, RANKING_FIELDS).sort({ lastActiveAt: -1 }).limit(CANDIDATES_PER_DRIVER).lean();
}

/** Ranking in [0, 1000]: shared interests first, then nearness, then recent activity. Stable within a day. */
function scoreOf(me: { interests: string[] }, them: Candidate, km: number | null, limitKm: number, now: number): number {
  const mine = new Set(me.interests);
  const shared = (them.interests ?? []).filter((t) => mine.has(t)).length;
  const interest = mine.size ? shared / Math.min(mine.size, 5) : 0;
  const near = km === null ? 0.5 : Math.max(0, 1 - km / limitKm);
  const idleDays = them.lastActiveAt ? Math.floor((now - them.lastActiveAt.getTime()) / DAY_MS) : Infinity;
  const active = idleDays <= 1 ? 1 : idleDays <= 7 ? 0.6 : idleDays <= 30 ? 0.3 : 0;
  return Math.round(1000 * (0.5 * Math.min(1, interest) + 0.3 * near + 0.2 * active));
}

/** The cursor is the last card's (score, id): the next page starts strictly after it. */
const cursorOf = (score: number, id: string) => Buffer.from(`${score}:${id}`).toString('base64url');
function parseCursor(cursor: string): { score: number; id: string } {
  const [score, id] = Buffer.from(cursor, 'base64url').toString().split(':');
  if (!id || !Types.ObjectId.isValid(id) || !/^\d{1,4}$/.test(score ?? '')) {
    throw new AppError(400, 'INVALID_CURSOR', 'This cursor did not come from a previous page');
  }
  return { score: Number(score), id };
}

export interface DiscoveryPage {
  profiles: (PublicProfile & { score: number })[];
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
  }).lean();
  if (!me) throw notFound('User');
  const after = page.cursor ? parseCursor(page.cursor) : undefined;
  const now = Date.now();
  const myAge = ageOn(me.dateOfBirth);
  const wanted = me.lookingFor?.genders?.length ? me.lookingFor.genders : undefined;
  const limitKm = Math.min(me.lookingFor?.maxDistanceKm ?? 100, DISCOVERY_MAX_KM);
  const origin: LatLng | null = me.location ?? null;

  const drivers = origin
    ? coveringCells(origin, limitKm).map((cell) => ({ geoCells: cell }))
    : (me.interests ?? []).slice(0, 5).map((tag) => ({ interests: tag }));
  if (drivers.length === 0) return { profiles: [], nextCursor: null };

  const excluded = [userId, ...(await pairedUserIds(userId)), ...(await hiddenUserIds(userId)).map(String)];
  const { latest, earliestExclusive } = birthDateRange(me.lookingFor?.minAge, me.lookingFor?.maxAge);
  const filter: Record<string, unknown> = {
    preference: me.preference,
    'settings.privacy.discoverable': true,
    bannedAt: null,
    _id: { $nin: excluded.map((id) => new Types.ObjectId(id)) },
    dateOfBirth: { ...(latest && { $lte: latest }), ...(earliestExclusive && { $gt: earliestExclusive }) },
    // One wanted gender is an equality FerretDB pushes down; several are checked after.
    ...(wanted && { gender: wanted.length === 1 ? wanted[0] : { $in: wanted } }),
  };

  const batches = await Promise.all(drivers.map((d) => readCandidates({ ...filter, ...d })));
  const seen = new Set<string>();
  const ranked: { score: number; id: string; user: Candidate; km: number | null }[] = [];
  for (const user of batches.flat()) {
    const id = String(user._id);
    if (seen.has(id)) continue;
    seen.add(id);
    // Their side of the fit: my gender, my age and the distance they accept.
    const theirs = user.lookingFor;
    if (theirs?.genders?.length && !theirs.genders.includes(me.gender as (typeof GENDERS)[number])) continue;
    if (myAge < (theirs?.minAge ?? 18) || myAge > (theirs?.maxAge ?? 120)) continue;
    const km = origin && user.location ? distanceKm(origin, user.location) : null;
    if (km !== null && km > Math.min(limitKm, theirs?.maxDistanceKm ?? 100)) continue;
    ranked.push({ score: scoreOf({ interests: me.interests ?? [] }, user, km, limitKm, now), id, user, km });
  }
  ranked.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : -1));
  const start = after ? ranked.findIndex((r) => r.score < after.score || (r.score === after.score && r.id < after.id)) : 0;
  const rest = start < 0 ? [] : ranked.slice(start);
  const slice = rest.slice(0, page.limit);
  const last = slice.at(-1);
  // Full profiles for the page only, one indexed read each.
  const profiles = await Promise.all(slice.map((r) => User.findOne({ _id: r.id, bannedAt: null }, PUBLIC_SOURCE_FIELDS).lean()));
  return {
    profiles: slice.flatMap((r, i) => {
      const user = profiles[i];
      return user ? [{ ...toPublicProfile(user, origin), score: r.score }] : [];
    }),
    nextCursor: rest.length > page.limit && last ? cursorOf(last.score, last.id) : null,
  };
}
