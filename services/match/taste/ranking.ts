import { likeChance, likeParts, type TasteModel } from './model.js';

/**
 * Reciprocal ranking, pure: a card's place blends the explicit fit (interests, nearness,
 * activity; the hard filters were applied before) with the chance the interest is mutual,
 * gives newcomers a measured share of exposure and holds back profiles shown a lot lately.
 */

/** Cards a profile may be shown in a day before it is held back. */
export const EXPOSURE_CAP = 400;
/** Signals about a profile below which it counts as new. */
export const NEW_BELOW = 20;
const NEW_BONUS = 0.15;
const SHOWN_HALF_LIFE_MS = 24 * 3_600_000;

/** A profile's recent impressions, decayed to `now` (half-life a day). */
export const shownNow = (s: number, at: number | undefined, now: number) =>
  at === undefined ? 0 : s * Math.pow(0.5, Math.max(0, now - at) / SHOWN_HALF_LIFE_MS);

export interface Side {
  model: TasteModel;
  features: string[];
  /** Impressions recently (decayed). */
  shown?: number;
}

export interface ScoreParts {
  explicit: number;
  /** p(viewer likes them), p(they like the viewer), and their geometric mean. */
  viewerInterest: number;
  theirInterest: number;
  mutual: number;
  newcomer: number;
  exposure: number;
  score: number;
}

/** Scores are integers this fine: blending must not round distinct explicit fits into ties. */
export const SCALE = 1_000_000;

const newcomerBonus = (m: TasteModel) => (m.n < NEW_BELOW ? NEW_BONUS * (1 - m.n / NEW_BELOW) : 0);
const exposureFactor = (shown = 0) => (shown > EXPOSURE_CAP ? EXPOSURE_CAP / shown : 1);
const blended = (explicit: number, mutual: number, newcomer: number, exposure: number, blend: number) =>
  Math.round(SCALE * Math.min(1, ((1 - blend) * explicit + blend * Math.min(1, mutual * 2) + blend * newcomer) * exposure));

/**
 * The card's score in [0, SCALE]: the hot path (no parts object). `blend` 0 is the explicit
 * ranking alone, 1 the mutual chance alone.
 */
export function reciprocalScore(viewer: Side, candidate: Side, explicit: number, blend: number): number {
  const mutual = Math.sqrt(
    likeChance(viewer.model, candidate.model, candidate.features) * likeChance(candidate.model, viewer.model, viewer.features),
  );
  return blended(explicit, mutual, newcomerBonus(candidate.model), exposureFactor(candidate.shown), blend);
}

/** The same score with its parts, for an admin asking why a card ranked where it did. */
export function explainScore(viewer: Side, candidate: Side, explicit: number, blend: number): ScoreParts {
  const mine = likeParts(viewer.model, candidate.model, candidate.features);
  const theirs = likeParts(candidate.model, viewer.model, viewer.features);
  const mutual = Math.sqrt(mine.p * theirs.p);
  const newcomer = newcomerBonus(candidate.model);
  const exposure = exposureFactor(candidate.shown);
  return {
    explicit,
    viewerInterest: mine.p,
    theirInterest: theirs.p,
    mutual,
    newcomer,
    exposure,
    score: blended(explicit, mutual, newcomer, exposure, blend),
  };
}
