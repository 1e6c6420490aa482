import { Types } from 'mongoose';
import { COUNTER_NAMES } from '../../models/engagement-counts.js';
import { CreatorDayStat } from '../../models/creator-day-stat.model.js';
import { PostDayStat } from '../../models/post-day-stat.model.js';
import { Post } from '../../models/post.model.js';
import { AppError } from '../../utils/app-error.js';
import { utcDay } from '../../utils/clock.js';
import { ownPost } from './post.service.js';

const MAX_DAYS = 366;

type DayRow = Partial<Record<(typeof COUNTER_NAMES)[number] | 'followersFromPosts', number>> & { day: string };

/** The UTC days from `from` to `to`, both included; the span is checked before a single day is listed. */
function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const span = Math.round((Date.parse(`${to}T00:00:00Z`) - start) / 86_400_000) + 1;
  if (!Number.isFinite(span) || span < 1) throw new AppError('INVALID_RANGE', '"from" must not be after "to"');
  if (span > MAX_DAYS) throw new AppError('INVALID_RANGE', `A range may span at most ${MAX_DAYS} days`);
  return Array.from({ length: span }, (_, i) => utcDay(new Date(start + i * 86_400_000)));
}

const ratio = (likes: number, views: number) => (views ? Math.round((likes / views) * 10_000) / 10_000 : null);

/** Every day of the range (zeros where nothing happened), the totals and the like-to-view ratio. */
function series(days: string[], rows: DayRow[], extra: readonly string[] = []) {
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const fields = [...COUNTER_NAMES, ...extra] as (keyof DayRow)[];
  const perDay = days.map((day) => {
    const row = byDay.get(day);
    const out: Record<string, number | string | null> = { day };
    for (const f of fields) out[f] = Number(row?.[f] ?? 0);
    out.likeToViewRatio = ratio(out.likes as number, out.views as number);
    return out;
  });
  const totals: Record<string, number | null> = {};
  for (const f of fields) totals[f] = perDay.reduce((sum, d) => sum + (d[f] as number), 0);
  totals.likeToViewRatio = ratio(totals.likes!, totals.views!);
  return { days: perDay, totals };
}

export async function postStats(userId: string, postId: string, range: { from: string; to: string }) {
  // A post the caller may not see is missing to them (a 403 would tell it exists).
  await ownPost(userId, postId);
  const days = daysBetween(range.from, range.to);
  const rows = (await PostDayStat.find({ postId: new Types.ObjectId(postId) }).lean()).filter(
    (r) => r.day >= days[0]! && r.day <= days.at(-1)!,
  );
  return { postId, from: days[0], to: days.at(-1), ...series(days, rows) };
}

export async function creatorStats(userId: string, range: { from: string; to: string }) {
  const days = daysBetween(range.from, range.to);
  const rows = (await CreatorDayStat.find({ authorId: new Types.ObjectId(userId) }).lean()).filter(
    (r) => r.day >= days[0]! && r.day <= days.at(-1)!,
  );
  return { from: days[0], to: days.at(-1), ...series(days, rows, ['followersFromPosts']) };
}

/** A connection request that came from one of the creator's posts. */
export async function noteFollowerFromPost(receiverId: string, postId: string): Promise<void> {
  const post = await Post.findById(postId, { authorId: 1 }).lean();
  if (!post || String(post.authorId) !== receiverId) return;
  const day = utcDay(new Date());
  await CreatorDayStat.updateOne(
    { _id: `${receiverId}:${day}` },
    { $inc: { followersFromPosts: 1 }, $setOnInsert: { authorId: post.authorId, day } },
    { upsert: true },
  );
}
