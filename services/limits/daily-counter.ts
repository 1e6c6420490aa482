import { QuotaCounter } from '../../models/quota-counter.model.js';
import { AppError } from '../../utils/app-error.js';
import { nextUtcMidnight, utcDay } from '../../utils/clock.js';
import { isDuplicateKey } from '../../utils/duplicate-key.js';

// Per-account budgets of a UTC day (connection requests, sign-up mail, posts, the bytes of
// uploads and of their reading), one QuotaCounter document per budget and day: `<id>:<day>`.

/** 429 QUOTA_EXCEEDED for a day's budget, with when it starts again. */
export const quotaExceeded = (message: string, details: { limit: number; remaining?: number }) =>
  new AppError('QUOTA_EXCEEDED', message, { ...details, resetAt: nextUtcMidnight(new Date()).toISOString() });

/**
 * Takes one (or `amount`) from a daily counter, or answers false when it would pass its
 * limit. A guarded $inc (used <= limit - amount) on the day's counter: concurrent callers
 * never lose a count or pass the limit. The first of the day creates the counter by upsert;
 * a racing upsert hits the unique key and retries as a plain guarded update.
 */
export async function takeFromDailyCounter(
  id: string,
  userId: string,
  limit: number,
  now = new Date(),
  amount = 1,
): Promise<boolean> {
  if (amount > limit) return false;
  const day = utcDay(now);
  const key = { _id: `${id}:${day}`, used: { $lte: limit - amount } };
  try {
    await QuotaCounter.updateOne(key, { $inc: { used: amount }, $setOnInsert: { userId, day } }, { upsert: true });
    return true;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  // The counter exists: either it is full (the upsert's insert collided) or another caller created it first.
  const res = await QuotaCounter.updateOne(key, { $inc: { used: amount } });
  return res.modifiedCount === 1;
}

/** Undoes a take of `amount` from a daily counter of `day` (never below nothing). */
export async function giveBackToDailyCounter(id: string, day: string, amount: number): Promise<void> {
  await QuotaCounter.updateOne({ _id: `${id}:${day}`, used: { $gte: amount } }, { $inc: { used: -amount } });
}

/** How much of a daily counter is left (a read: the take still decides, guarded). */
export async function dailyCounterRoom(id: string, limit: number, now = new Date()): Promise<number> {
  const counter = await QuotaCounter.findById(`${id}:${utcDay(now)}`, { used: 1 }).lean();
  return limit - (counter?.used ?? 0);
}

/** Whether a daily counter has room left (a read: the take still decides, guarded). */
export async function dailyCounterHasRoom(id: string, limit: number, now = new Date()): Promise<boolean> {
  return (await dailyCounterRoom(id, limit, now)) > 0;
}

/** Counters of past days are kept a week for support questions, then deleted by the clean-up job. */
export async function deleteOldQuotaCounters(now = new Date()): Promise<number> {
  const cutoff = utcDay(new Date(now.getTime() - 7 * 86_400_000));
  const res = await QuotaCounter.deleteMany({ day: { $lt: cutoff } });
  return res.deletedCount;
}
