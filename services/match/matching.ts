import { narrowsAges } from '../../utils/age.js';
import { bandRadiusKm, distanceBand, distanceKm, regionCellOf } from '../../utils/geo.js';
import type { UserCard } from '../people/profile.service.js';
import type { Ticket } from './queue.store.js';
import { likeChance } from './taste/model.js';

/**
 * The matcher's rules, pure: who may be paired with whom at a given moment (the hard rules
 * both ways, then the optional filters a ticket's waiting has not relaxed yet), how a pair
 * ranks, and what each is shown of the other.
 */

export const MATCH_GENDERS = ['male', 'female', 'non-binary', 'other'];

// Optional filters relax step by step with waiting, so nobody waits forever when a partner exists.
export const RELAX_INTERESTS_MS = 10_000;
export const RELAX_COUNTRY_MS = 20_000;
export const RELAX_DISTANCE_MS = 30_000;
// A degree of latitude is at least this long on the sphere distanceKm uses (6371 km radius).
const KM_PER_DEGREE_LAT = 111.19;

/** The waits after which a ticket's optional filters relax. */
export const RELAX_STEPS = [RELAX_INTERESTS_MS, RELAX_COUNTRY_MS, RELAX_DISTANCE_MS];

/** The partner's card as `me` sees it: with a distance band if the partner shows distance. */
export function cardFor(me: Ticket, partner: Ticket): UserCard | { id: string } {
  const card = partner.card ?? { id: partner.userId };
  if (!partner.showDistance || !me.location || !partner.location) return card;
  return { ...card, distance: distanceBand(distanceKm(me.location, partner.location)) };
}

/** Whether y is what x looks for, with the filters x's waiting has not relaxed yet. */
function fitsFor(x: Ticket, y: Ticket, now: number): boolean {
  if (x.lookingFor.genders.length && !x.lookingFor.genders.includes(y.gender)) return false;
  // Someone who hides their age never fits a narrowed range (as in discovery and search): an offer would tell it.
  const { minAge, maxAge } = x.lookingFor;
  if (y.showAge === false ? narrowsAges(x.lookingFor) : y.age < minAge || y.age > maxAge) return false;
  const waited = now - x.joinedAt;
  if (x.country && waited < RELAX_COUNTRY_MS && y.country !== x.country) return false;
  return !(x.wantedInterests.length && waited < RELAX_INTERESTS_MS && !x.wantedInterests.some((t) => y.interests.includes(t)));
}

/** Whether a and b may be paired now: the hard rules both ways, then the filters their waiting allows. */
export function compatible(a: Ticket, b: Ticket, now: number): boolean {
  if (a.userId === b.userId || a.mode !== b.mode) return false;
  if (a.hidden.includes(b.userId) || b.hidden.includes(a.userId)) return false;
  if (a.preference !== b.preference) return false;
  if (!fitsFor(a, b, now) || !fitsFor(b, a, now)) return false;
  // Distance last: the dearest test, and the latitude gap alone rules most far pairs out.
  if (a.location && b.location && now - Math.max(a.joinedAt, b.joinedAt) < RELAX_DISTANCE_MS) {
    // Someone hiding their distance is matched by region; others by band-edge radius.
    if (!a.showDistance || !b.showDistance) return regionCellOf(a.location) === regionCellOf(b.location);
    const limit = bandRadiusKm(Math.min(a.lookingFor.maxDistanceKm, b.lookingFor.maxDistanceKm));
    if (Math.abs(a.location.lat - b.location.lat) * KM_PER_DEGREE_LAT > limit) return false;
    if (distanceKm(a.location, b.location) >= limit) return false;
  }
  return true;
}

/** The chance the interest is mutual, when a's ranking is the adaptive one: up to 500 points (four shared interests). */
function mutualPoints(a: Ticket, b: Ticket): number {
  if (!a.taste?.weight || !b.taste) return 0;
  const mutual = Math.sqrt(
    likeChance(a.taste.model, b.taste.model, b.taste.features) * likeChance(b.taste.model, a.taste.model, a.taste.features),
  );
  return a.taste.weight * 500 * Math.min(1, mutual * 2);
}

/** Higher is better: shared interests, nearness, the chance of mutual interest, and how long the partner has waited. */
export function score(a: Ticket, b: Ticket, now: number): number {
  const shared = a.interests.filter((t) => b.interests.includes(t)).length;
  const km = a.location && b.location ? distanceKm(a.location, b.location) : null;
  return (
    shared * 100 +
    (km === null ? 0 : Math.max(0, 50 - km / 20)) +
    mutualPoints(a, b) +
    Math.min(60, (now - b.joinedAt) / 1000) +
    b.priority * 1000
  );
}
