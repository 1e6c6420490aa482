/**
 * Adaptive matching against the explicit ranking, on a simulation with known ground truth
 * (`npm run bench:adaptive`): 10,000 people whose hidden tastes differ from what their
 * profiles state swipe on ranked feeds over several rounds; the same people, pools and
 * random draws are run once per ranking. Reported: mutual matches per 100 cards shown, the
 * round of a person's first mutual match, the share of people with at least one (fairness),
 * and the ranking's p50/p99 time per feed (both rankings score the same pool).
 *
 * Hidden truth: each person *is* a point h in a 4-dimensional trait space (their interests
 * are drawn from it, so a profile says something of h), and *likes* people near another
 * point q, drawn apart from h: the stated interests predict poorly whom they like.
 */
import { performance } from 'node:perf_hooks';
import { emptyModel, featuresOf, learn, type TasteModel } from '../services/match/taste/model.js';
import { reciprocalScore } from '../services/match/taste/ranking.js';

const PEOPLE = Number(process.env.SIM_PEOPLE ?? 10_000);
const ROUNDS = Number(process.env.SIM_ROUNDS ?? 8);
const POOL = 200; // candidates discovery reads and ranks per feed
const PAGE = 10; // cards shown per feed
const LATENT = 4;
const TAGS_PER_GROUP = 10;
const BLEND = Number(process.env.SIM_BLEND ?? 0.8);

// A seeded generator: both rankings see the same world and the same coin flips.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(r() || 1e-9)) * Math.cos(2 * Math.PI * r());
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

interface Person {
  id: string;
  h: number[];
  q: number[];
  pop: number;
  interests: string[];
  gender: string;
  age: number;
  x: number;
  y: number;
  active: number;
  features: string[];
}

function world(seed: number): Person[] {
  const r = rng(seed);
  return Array.from({ length: PEOPLE }, (_, i) => {
    const h = Array.from({ length: LATENT }, () => gauss(r));
    const q = Array.from({ length: LATENT }, () => gauss(r));
    // Interests: mostly from the groups of their strongest traits, some at random.
    const weights = h.map((v) => Math.exp(1.5 * v));
    const total = weights.reduce((s, v) => s + v, 0);
    const interests = new Set<string>();
    while (interests.size < 5) {
      let pick = r() * total;
      let group = 0;
      while (group < LATENT - 1 && pick > weights[group]!) pick -= weights[group++]!;
      const tag =
        r() < 0.8 ? group * TAGS_PER_GROUP + Math.floor(r() * TAGS_PER_GROUP) : Math.floor(r() * LATENT * TAGS_PER_GROUP);
      interests.add(`t${tag}`);
    }
    const p: Omit<Person, 'features'> = {
      id: `p${i}`,
      h,
      q,
      pop: 0.5 * gauss(r),
      interests: [...interests],
      gender: r() < 0.5 ? 'female' : 'male',
      age: 20 + Math.floor(r() * 25),
      x: r(),
      y: r(),
      active: r(),
    };
    return { ...p, features: featuresOf(p) };
  });
}

/** The truth: how likely u is to say yes to v. */
const trulyLikes = (u: Person, v: Person) => sigmoid((1.6 * u.q.reduce((s, qk, k) => s + qk * v.h[k]!, 0)) / 2 + v.pop - 1.3);

/** The explicit ranking as discovery has it: shared interests, nearness, recent activity, in [0, 1]. */
function explicitScore(u: Person, v: Person): number {
  let shared = 0;
  for (const t of v.interests) if (u.interests.includes(t)) shared++;
  const near = 1 - Math.min(1, Math.hypot(u.x - v.x, u.y - v.y) / 1.42);
  return 0.5 * Math.min(1, shared / 5) + 0.3 * near + 0.2 * v.active;
}

interface Outcome {
  cards: number;
  mutual: number;
  firstRound: (number | null)[];
  rankMs: number[];
}

function simulate(people: Person[], adaptive: boolean, seed: number): Outcome {
  const r = rng(seed);
  const models = new Map<string, TasteModel>(people.map((p) => [p.id, emptyModel(p.id)]));
  const shown = new Map<string, number>();
  const liked = new Set<string>(); // `${u}>${v}`
  const swiped = new Set<string>();
  const firstRound: (number | null)[] = people.map(() => null);
  const index = new Map(people.map((p, i) => [p.id, i]));
  const out: Outcome = { cards: 0, mutual: 0, firstRound, rankMs: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const signals: [Person, Person, 0 | 1][] = [];
    for (const u of people) {
      const pool: Person[] = [];
      while (pool.length < POOL) {
        const v = people[Math.floor(r() * people.length)]!;
        if (v !== u && !swiped.has(`${u.id}>${v.id}`)) pool.push(v);
      }
      const started = performance.now();
      const me = { model: models.get(u.id)!, features: u.features };
      const ranked = pool
        .map((v) => {
          const explicit = explicitScore(u, v);
          const score = adaptive
            ? reciprocalScore(me, { model: models.get(v.id)!, features: v.features, shown: shown.get(v.id) }, explicit, BLEND)
            : explicit;
          return { v, score };
        })
        .sort((a, b) => b.score - a.score)
        .slice(0, PAGE);
      out.rankMs.push(performance.now() - started);
      for (const { v } of ranked) {
        out.cards++;
        shown.set(v.id, (shown.get(v.id) ?? 0) + 1);
        swiped.add(`${u.id}>${v.id}`);
        const yes = r() < trulyLikes(u, v);
        signals.push([u, v, yes ? 1 : 0]);
        if (!yes) continue;
        liked.add(`${u.id}>${v.id}`);
        if (liked.has(`${v.id}>${u.id}`)) {
          out.mutual++;
          for (const p of [u, v]) {
            const i = index.get(p.id)!;
            if (firstRound[i] === null) firstRound[i] = round + 1;
          }
        }
      }
    }
    // The learner's pass after the round, as the job applies queued signals.
    if (adaptive) {
      for (const [u, v, label] of signals) {
        const next = learn(models.get(u.id)!, models.get(v.id)!, v.features, label);
        models.set(u.id, next.actor);
        models.set(v.id, next.target);
      }
    }
  }
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

function summary(o: Outcome) {
  const matched = o.firstRound.filter((x): x is number => x !== null);
  return {
    perHundred: (100 * o.mutual) / o.cards,
    // Rounds until a person's first mutual match; someone never matched counts as ROUNDS + 1.
    firstRound: o.firstRound.reduce<number>((s, x) => s + (x ?? ROUNDS + 1), 0) / o.firstRound.length,
    share: matched.length / o.firstRound.length,
    p50: pct(o.rankMs, 50),
    p99: pct(o.rankMs, 99),
  };
}

const people = world(7);
const explicit = summary(simulate(people, false, 11));
const adaptive = summary(simulate(people, true, 11));
const f = (x: number, d = 2) => x.toFixed(d);
console.log(`Adaptive matching simulation: ${PEOPLE} people, ${ROUNDS} rounds, ${PAGE} cards per feed from ${POOL} candidates\n`);
console.log('| measure | adaptive | explicit | ratio | aim |\n|---|---|---|---|---|');
console.log(
  `| mutual matches per 100 cards | ${f(adaptive.perHundred)} | ${f(explicit.perHundred)} | ${f(adaptive.perHundred / explicit.perHundred)}x | >= 1.5x |`,
);
console.log(
  `| rounds to first mutual match (mean; none = rounds + 1) | ${f(adaptive.firstRound)} | ${f(explicit.firstRound)} | ${f(adaptive.firstRound / explicit.firstRound)}x | lower |`,
);
console.log(
  `| people with at least one match | ${f(100 * adaptive.share, 1)}% | ${f(100 * explicit.share, 1)}% | ${f(adaptive.share / explicit.share)}x | higher |`,
);
console.log(
  `| ranking time per feed, p50 (ms) | ${f(adaptive.p50, 3)} | ${f(explicit.p50, 3)} | ${f(adaptive.p50 / explicit.p50)}x | |`,
);
console.log(
  `| ranking time per feed, p99 (ms) | ${f(adaptive.p99, 3)} | ${f(explicit.p99, 3)} | ${f(adaptive.p99 / explicit.p99)}x | <= 1.2x |`,
);
