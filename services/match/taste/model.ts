/**
 * The adaptive matcher's per-person model, pure: no database, no clock. Two parts learn
 * from what people do (never from what they write):
 * - `w`: weights over the other person's profile attributes a card shows (interests, gender,
 *   age band): what this person turns out to like, whatever their own profile says;
 * - an embedding learned from the swipe graph: `t` (what this person likes) and `a` (how
 *   they come across), with `b` (how often people like them overall), so that
 *   p(u likes v) = σ(w_u · attrs(v) + t_u · a_v + b_v + PRIOR).
 * Each signal is one step of logistic regression on both people's models.
 */

export const DIM = 8;
/** Attribute weights kept per person: the largest in size, so the model stays small. */
export const MAX_WEIGHTS = 48;
const PRIOR = -1.2; // most cards are passed
const LEARN_WEIGHTS = 0.25;
const LEARN_EMBEDDING = 0.08;
const LEARN_BIAS = 0.05;
const DECAY = 0.002; // a little pull towards zero each step: old tastes fade
const CLAMP = 4;

export interface TasteModel {
  /** Attribute weights: `i:<interest>`, `g:<gender>`, `y:<age band>` (shown ages only). */
  w: Record<string, number>;
  t: number[];
  a: number[];
  b: number;
  /** Signals learned from (as actor and as target). */
  n: number;
}

/** What the model reads of a profile: its attributes as feature keys. */
export interface TasteSubject {
  id: string;
  interests?: string[] | null;
  gender?: string | null;
  age?: number | null;
}

/** Weight names become field names in the stored model: no `.` or `$` (FerretDB refuses them). */
const safeKey = (s: string) => s.replace(/[.$]/g, '_');

export function featuresOf(p: TasteSubject): string[] {
  const out = (p.interests ?? []).slice(0, 10).map((i) => `i:${safeKey(i)}`);
  if (p.gender) out.push(`g:${p.gender}`);
  if (p.age) out.push(`y:${Math.min(9, Math.floor(p.age / 5))}`);
  return out;
}

/**
 * A small, fixed starting point per person (from their id): embeddings need asymmetry to
 * learn. Only `t` starts there: with `a` at zero an untrained model adds nothing, so
 * newcomers rank exactly as the explicit fit says.
 */
export function seedVector(id: string, salt: number): number[] {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return Array.from({ length: DIM }, () => {
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (((h ^ (h >>> 16)) >>> 0) / 4294967296 - 0.5) * 0.2;
  });
}

export const emptyModel = (id: string): TasteModel => ({
  w: {},
  t: seedVector(id, 1),
  a: new Array<number>(DIM).fill(0),
  b: 0,
  n: 0,
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const clamp = (x: number) => Math.max(-CLAMP, Math.min(CLAMP, x));

function dot(x: number[], y: number[]): number {
  let s = 0;
  for (let i = 0; i < DIM; i++) s += (x[i] ?? 0) * (y[i] ?? 0);
  return s;
}

export function weightOf(model: TasteModel, features: string[]): number {
  let s = 0;
  for (const f of features) s += model.w[f] ?? 0;
  return s;
}

/** The parts of p(viewer likes subject): attributes, embedding, the subject's appeal. */
export function likeParts(viewer: TasteModel, subject: TasteModel, subjectFeatures: string[]) {
  const attributes = weightOf(viewer, subjectFeatures);
  const embedding = dot(viewer.t, subject.a);
  return { attributes, embedding, appeal: subject.b, p: sigmoid(PRIOR + attributes + embedding + subject.b) };
}

/** p(viewer likes subject), on the ranking's hot path: no parts, no allocation. */
export function likeChance(viewer: TasteModel, subject: TasteModel, subjectFeatures: string[]): number {
  let x = PRIOR + subject.b;
  const w = viewer.w;
  for (let i = 0; i < subjectFeatures.length; i++) x += w[subjectFeatures[i]!] ?? 0;
  const t = viewer.t;
  const a = subject.a;
  for (let i = 0; i < DIM; i++) x += t[i]! * a[i]!;
  return 1 / (1 + Math.exp(-x));
}

/** Keeps the largest weights only. */
function prune(w: Record<string, number>): Record<string, number> {
  const entries = Object.entries(w);
  if (entries.length <= MAX_WEIGHTS) return w;
  return Object.fromEntries(entries.sort((x, y) => Math.abs(y[1]) - Math.abs(x[1])).slice(0, MAX_WEIGHTS));
}

/**
 * One signal: `actor` liked (label 1) or passed on (label 0) `target`, with a strength
 * (a message counts more than a swipe). Returns both models updated (new objects).
 */
export function learn(
  actor: TasteModel,
  target: TasteModel,
  targetFeatures: string[],
  label: 0 | 1,
  strength = 1,
): { actor: TasteModel; target: TasteModel } {
  const p = likeChance(actor, target, targetFeatures);
  const g = strength * (label - p);
  const w = { ...actor.w };
  for (const f of targetFeatures) w[f] = clamp((w[f] ?? 0) * (1 - DECAY) + LEARN_WEIGHTS * g);
  const t = actor.t.map((x, i) => clamp(x * (1 - DECAY) + LEARN_EMBEDDING * g * (target.a[i] ?? 0)));
  const a = target.a.map((x, i) => clamp(x * (1 - DECAY) + LEARN_EMBEDDING * g * (actor.t[i] ?? 0)));
  return {
    actor: { ...actor, w: prune(w), t, n: actor.n + 1 },
    target: { ...target, a, b: clamp(target.b * (1 - DECAY) + LEARN_BIAS * g), n: target.n + 1 },
  };
}

/** Rounded for storage: three decimals are plenty, and keep the document small. */
export function compact(m: TasteModel): TasteModel {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    w: Object.fromEntries(Object.entries(m.w).map(([k, v]) => [k, r(v)])),
    t: m.t.map(r),
    a: m.a.map(r),
    b: r(m.b),
    n: m.n,
  };
}
