import { ActivityMark, AnalyticsBucket, type ActivityEvent } from '../../models/analytics.model.js';
import { User } from '../../models/user.model.js';
import { insertedOnce } from '../../utils/duplicate-key.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { bandOf, dayKey, daysBetween, hourField, hoursKey, monthKey, viralKey, weekKey } from './buckets.js';

export type { ActivityEvent };

/** The firsts of the sign-up funnel. */
export type Milestone = 'connection' | 'message' | 'payment';

/**
 * Increments waiting to be written, by bucket: a burst of events becomes one $inc per bucket
 * document in one bulk write every FLUSH_MS, instead of two upserts per event. A crash loses
 * at most that long of counts; a shutdown flushes them.
 */
const waiting = new Map<string, Record<string, number>>();
const FLUSH_MS = 1000;
let flushTimer: NodeJS.Timeout | undefined;

async function inc(id: string, fields: Record<string, number>): Promise<void> {
  const counts = waiting.get(id) ?? {};
  for (const [k, v] of Object.entries(fields)) counts[`counts.${k}`] = (counts[`counts.${k}`] ?? 0) + v;
  waiting.set(id, counts);
  if (!flushTimer) {
    flushTimer = setTimeout(() => void flushAnalytics().catch(() => undefined), FLUSH_MS);
    flushTimer.unref();
  }
}

/** The flush under way: a later one (a shutdown's) waits for its writes as well as its own. */
let flushing: Promise<void> = Promise.resolve();

/** Writes the waiting increments now (the timer, a shutdown, a test before it reads), after any flush under way. */
export function flushAnalytics(): Promise<void> {
  clearTimeout(flushTimer);
  flushTimer = undefined;
  const batch = [...waiting];
  waiting.clear();
  const run = flushing.then(() => writeCounts(batch));
  flushing = run;
  return run;
}

async function writeCounts(batch: [string, Record<string, number>][]): Promise<void> {
  // One upsert per bucket, in turn (a second's events touch a handful of buckets): FerretDB,
  // the test database, hangs on a bulk write of a few dozen updates.
  for (const [id, $inc] of batch) {
    await AnalyticsBucket.updateOne({ _id: id }, { $inc }, { upsert: true }).catch((err: unknown) =>
      // Not retried: the increment may have been applied.
      logger.warn('analytics counts lost', { error: errorMessage(err), bucket: id }),
    );
  }
}

// Marks this process knows are set: a person's second message of the day writes nothing.
const known = new Set<string>();
const KNOWN_MAX = 100_000;

/** A mark inserted once; true for the insert that made it. */
async function markOnce(id: string, keepDays?: number): Promise<boolean> {
  if (known.has(id)) return false;
  const made = await insertedOnce(() =>
    ActivityMark.create({ _id: id, ...(keepDays && { expiresAt: new Date(Date.now() + keepDays * 86_400_000) }) }),
  );
  if (known.size >= KNOWN_MAX) known.clear();
  known.add(id);
  return made;
}

async function signupDayOf(userId: string): Promise<Date | null> {
  return (await User.findById(userId, { createdAt: 1 }).lean())?.createdAt ?? null;
}

/**
 * A person was active at `at`: counted once per day, ISO week and month (DAU, WAU, MAU),
 * and, on days 1, 7 and 30 after signing up, once in their sign-up day's cohort.
 */
async function markActive(userId: string, at: Date): Promise<void> {
  const day = dayKey(at);
  if (!(await markOnce(`${userId}:${day}`, 40))) return;
  await inc(day, { active: 1 });
  const [week, month] = [weekKey(at), monthKey(at)];
  if (await markOnce(`${userId}:${week}`, 40)) await inc(week, { active: 1 });
  if (await markOnce(`${userId}:${month}`, 70)) await inc(month, { active: 1 });
  const signedUp = await signupDayOf(userId);
  const since = signedUp ? daysBetween(signedUp, at) : -1;
  if (since === 1 || since === 7 || since === 30) await inc(dayKey(signedUp!), { [`retained_d${since}`]: 1 });
}

/** A person used the app (an API call) without a counted event: active today. */
export const recordActivity = (userId: string, at = new Date()) => markActive(userId, at);

/** Counts one event (and the person as active); `amount` adds to a sum beside the count. */
export async function recordEvent(
  event: ActivityEvent,
  options: { userId?: string; at?: Date; sums?: Record<string, number> } = {},
): Promise<void> {
  const at = options.at ?? new Date();
  // The hour's count lives in the day's document too: an hourly view reads one document a day.
  // A day's hours are one document of their own: the daily view never reads them.
  await Promise.all([inc(dayKey(at), { [event]: 1, ...options.sums }), inc(hoursKey(at), { [hourField(at, event)]: 1 })]);
  if (options.userId) await markActive(options.userId, at);
}

/** A person's first connection, message or payment: once, into their sign-up day's funnel. */
export async function recordMilestone(userId: string, milestone: Milestone, at = new Date()): Promise<void> {
  if (!(await markOnce(`${userId}:first:${milestone}`))) return;
  const signedUp = await signupDayOf(userId);
  if (!signedUp) return;
  const after = Math.max(0, daysBetween(signedUp, at));
  await inc(dayKey(signedUp), {
    [`first_${milestone}`]: 1,
    ...(milestone === 'payment' && after <= 90 && { [`paid_after_${after}`]: 1 }),
  });
}

/** A sign-up: counted, and the size of its day's cohort. */
export async function recordSignup(userId: string, at = new Date()): Promise<void> {
  await recordEvent('signup', { userId, at, sums: { cohort: 1 } });
}

/** A socket session's length, by band (a median needs the spread, not only the sum). */
export async function recordSession(userId: string, startedAt: Date, endedAt = new Date()): Promise<void> {
  const seconds = Math.max(0, Math.round((endedAt.getTime() - startedAt.getTime()) / 1000));
  await recordEvent('session', {
    userId,
    at: endedAt,
    sums: { session_seconds: seconds, [`session_band_${bandOf(seconds)}`]: 1 },
  });
}

/** Money in or back, by plan and currency's smallest unit, on the day it happened. */
export async function recordRevenue(plan: string, amount: number, refund: boolean, at = new Date()): Promise<void> {
  await inc(dayKey(at), { [`${refund ? 'refunds' : 'revenue'}_${plan}`]: amount });
}

/** A post marked viral (once per post, by the feed signals job): counted, and kept in its day's list. */
export async function recordViralPost(postId: string, score: number, at = new Date()): Promise<void> {
  await Promise.all([
    inc(dayKey(at), { viral_post: 1 }),
    AnalyticsBucket.updateOne({ _id: viralKey(at) }, { $set: { [`counts.${postId}`]: score } }, { upsert: true }),
  ]);
}

/** What the A/B split of the matcher measures, per variant: cards shown, mutual matches, conversations, replies. */
export type MatchingOutcome = 'cards' | 'match' | 'conversation' | 'reply';

/** An outcome for a ranking variant; `once` counts it only the first time (a conversation's first reply). */
export async function recordMatchingOutcome(variant: string, outcome: MatchingOutcome, amount = 1, once?: string): Promise<void> {
  if (once && !(await markOnce(`ab:${once}`, 40))) return;
  await inc(dayKey(new Date()), { [`ab_${variant}_${outcome}`]: amount });
}

/** Off the request's path: analytics never fail or slow what they count. */
export function countLater(work: () => Promise<unknown>): void {
  work().catch((err: unknown) => logger.warn('analytics not counted', { error: errorMessage(err) }));
}

/** Marks of days, weeks and months past any window that reads them (the cleanup job). */
export async function deleteLapsedActivityMarks(now = new Date()): Promise<number> {
  return (await ActivityMark.deleteMany({ expiresAt: { $lt: now } })).deletedCount;
}
