import { PLANS } from '../../models/user.model.js';
import { ACTIVITY_EVENTS, AnalyticsBucket, type ActivityEvent } from '../../models/analytics.model.js';
import { SESSION_BANDS, dayKey, hourField, hoursKey, monthKey, viralKey, weekKey } from './buckets.js';

const EVENTS = ACTIVITY_EVENTS;

export interface AnalyticsRange {
  from: Date;
  to: Date;
  granularity: 'day' | 'hour';
  /** Conversion counts those who first paid within this many days of signing up. */
  conversionDays: number;
}

type Counts = Record<string, number>;

/** The instants a range covers, one per day or hour, and the key of the day document holding each. */
function stepsOf(range: AnalyticsRange): { at: Date; key: string }[] {
  const step = range.granularity === 'hour' ? 3_600_000 : 86_400_000;
  const out = [];
  for (let t = range.from.getTime(); t <= range.to.getTime(); t += step) {
    const at = new Date(t);
    out.push({ at, key: dayKey(at) });
  }
  return out;
}

/**
 * Bucket documents by id: one indexed equality read each, 16 at a time (FerretDB answers
 * $in, and ranges, with a scan of the whole collection).
 */
async function bucketsById(ids: string[]): Promise<Map<string, Counts>> {
  const found = new Map<string, Counts>();
  let next = 0;
  const lane = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const doc = await AnalyticsBucket.findById(id, { counts: 1 }).lean();
      if (doc) found.set(id, (doc.counts ?? {}) as Counts);
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, ids.length) }, lane));
  return found;
}

const n = (c: Counts | undefined, key: string) => c?.[key] ?? 0;

/** The range's most viral posts, from each day's list (`vp:<day>`), best score first. */
async function topViral(days: { at: Date }[], limit = 10) {
  const lists = await bucketsById(days.map((d) => viralKey(d.at)));
  return [...lists.entries()]
    .flatMap(([key, posts]) => Object.entries(posts).map(([postId, score]) => ({ postId, score, day: key.slice(3) })))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);

/** The median session length from the bands (the upper bound of the band holding the middle one). */
function medianSession(bands: Counts): number | null {
  const total = Object.values(bands).reduce((s, v) => s + v, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const band of [...SESSION_BANDS, 86_400]) {
    seen += bands[band] ?? 0;
    if (seen >= total / 2) return band;
  }
  return null;
}

/**
 * The platform's figures for a range, from the bucket documents alone: activity per day
 * (or hour), DAU, WAU and MAU (calendar weeks and months), stickiness, the sign-up cohorts'
 * retention and funnel, conversion to paid within N days, session length, revenue by plan
 * and refunds, and content per active person.
 */
export async function analyticsReport(range: AnalyticsRange) {
  const steps = stepsOf(range);
  const days = stepsOf({ ...range, granularity: 'day' });
  const weeks = [...new Set(days.map((d) => weekKey(d.at)))];
  const months = [...new Set(days.map((d) => monthKey(d.at)))];
  const [byId, viralTop] = await Promise.all([
    bucketsById([...new Set([...days.map((d) => d.key), ...weeks, ...months])]),
    topViral(days),
  ]);

  const hourly = range.granularity === 'hour';
  const hours = hourly ? await bucketsById(days.map((d) => hoursKey(d.at))) : byId;
  const series = steps.map((s) => {
    const c = hours.get(hourly ? hoursKey(s.at) : s.key);
    return {
      at: s.at.toISOString(),
      ...Object.fromEntries(EVENTS.map((e) => [e, n(c, hourly ? hourField(s.at, e) : e)])),
      ...(!hourly && { active: n(c, 'active') }),
    };
  });
  const dayCounts = days.map((d) => byId.get(d.key));
  const sum = (key: string) => dayCounts.reduce((s, c) => s + n(c, key), 0);
  const dau = days.map((d, i) => ({ day: d.key.slice(2), active: n(dayCounts[i], 'active') }));
  const averageDau = dau.length ? dau.reduce((s, d) => s + d.active, 0) / dau.length : 0;
  const mau = months.map((m) => ({ month: m.slice(2), active: n(byId.get(m), 'active') }));
  const averageMau = mau.length ? mau.reduce((s, m) => s + m.active, 0) / mau.length : 0;

  const cohorts = days.map((d, i) => {
    const c = dayCounts[i];
    const size = n(c, 'cohort');
    return {
      day: d.key.slice(2),
      signups: size,
      retention: {
        d1: ratio(n(c, 'retained_d1'), size),
        d7: ratio(n(c, 'retained_d7'), size),
        d30: ratio(n(c, 'retained_d30'), size),
      },
      retained: { d1: n(c, 'retained_d1'), d7: n(c, 'retained_d7'), d30: n(c, 'retained_d30') },
    };
  });
  const signups = sum('cohort');
  let paidWithin = 0;
  for (let k = 0; k <= Math.min(90, range.conversionDays); k++) paidWithin += sum(`paid_after_${k}`);
  const bands: Counts = {};
  for (const band of [...SESSION_BANDS, 86_400]) bands[band] = sum(`session_band_${band}`);
  const sessions = sum('session');
  const revenueByDay = days.map((d, i) => ({
    day: d.key.slice(2),
    ...Object.fromEntries(PLANS.map((p) => [p, n(dayCounts[i], `revenue_${p}`)])),
    refunds: PLANS.reduce((s, p) => s + n(dayCounts[i], `refunds_${p}`), 0),
  }));
  const revenue = Object.fromEntries(PLANS.map((p) => [p, sum(`revenue_${p}`)]));
  const refunds = PLANS.reduce((s, p) => s + sum(`refunds_${p}`), 0);
  const gross = Object.values(revenue).reduce((s, v) => s + v, 0);

  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    granularity: range.granularity,
    series,
    totals: Object.fromEntries(EVENTS.map((e) => [e, sum(e)])),
    activeUsers: {
      daily: dau,
      weekly: weeks.map((w) => ({ week: w.slice(2), active: n(byId.get(w), 'active') })),
      monthly: mau,
      averageDaily: Math.round(averageDau * 100) / 100,
      stickiness: ratio(averageDau, averageMau),
    },
    cohorts,
    funnel: {
      signups,
      firstConnection: sum('first_connection'),
      firstMessage: sum('first_message'),
      firstPayment: sum('first_payment'),
    },
    conversion: { withinDays: range.conversionDays, paid: paidWithin, signups, rate: ratio(paidWithin, signups) },
    sessions: {
      count: sessions,
      averageSeconds: sessions ? Math.round(sum('session_seconds') / sessions) : null,
      medianSeconds: medianSession(bands),
    },
    content: {
      posts: sum('post'),
      comments: sum('comment'),
      postsPerActiveUser: ratio(
        sum('post'),
        dau.reduce((s, d) => s + d.active, 0),
      ),
    },
    // Posts the feed signals marked viral, and how far shares carry content.
    viral: {
      posts: sum('viral_post'),
      rate: ratio(sum('viral_post'), sum('post')),
      shares: sum('share'),
      sharesToFeed: sum('share_feed'),
      sharesToChats: sum('share_conversation'),
      sharesPerPost: ratio(sum('share'), sum('post')),
      top: viralTop,
    },
    // The matcher's A/B split: what each ranking's people got.
    matching: Object.fromEntries(
      (['explicit', 'adaptive'] as const).map((v) => {
        const [cards, matches] = [sum(`ab_${v}_cards`), sum(`ab_${v}_match`)];
        return [
          v,
          {
            cards,
            matches,
            conversations: sum(`ab_${v}_conversation`),
            replies: sum(`ab_${v}_reply`),
            matchesPer100Cards: cards ? Math.round((10_000 * matches) / cards) / 100 : null,
          },
        ];
      }),
    ),
    revenue: { byDay: revenueByDay, byPlan: revenue, gross, refunds, net: gross - refunds },
  };
}

/** One series as CSV (a spreadsheet's columns: the time, then the value). */
export async function seriesCsv(range: AnalyticsRange, name: ActivityEvent | 'active'): Promise<string> {
  const report = await analyticsReport(range);
  const rows = report.series.map((s) => `${s.at},${(s as Record<string, unknown>)[name] ?? 0}`);
  return [`at,${name}`, ...rows].join('\n') + '\n';
}
