import type { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { HourStat } from '../../models/hour-stat.model.js';
import { Post } from '../../models/post.model.js';
import { TrendingTag } from '../../models/trending-tag.model.js';
import { countLater, recordViralPost } from '../analytics/record.js';
import { audit, byStaff, type StaffActor } from '../audit.service.js';
import { notFound } from '../../utils/app-error.js';

import { daysBack } from './candidates.js';
import { hourKey, utcDay } from '../../utils/clock.js';

type Counts = { views: number; likes: number; comments: number; shares: number; bookmarks: number; posts: number };
const ZERO: Counts = { views: 0, likes: 0, comments: 0, shares: 0, bookmarks: 0, posts: 0 };

/** Weighted engagement: a share or comment says more than a like, a like more than a view. */
export const weighted = (c: Partial<Counts>) =>
  (c.likes ?? 0) + 2 * (c.comments ?? 0) + 3 * (c.shares ?? 0) + 2 * (c.bookmarks ?? 0) + 0.2 * (c.views ?? 0);

const hoursBefore = (now: Date, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => hourKey(new Date(now.getTime() - (from + i) * 3_600_000)));

/** Sums the hour stats of one kind over some hours, per key (one equality query per hour). */
async function sumHours(kind: 'post' | 'tag', hours: string[]): Promise<Map<string, Counts>> {
  const rows = (await Promise.all(hours.map((hour) => HourStat.find({ kind, hour }).lean()))).flat();
  const sums = new Map<string, Counts>();
  for (const r of rows) {
    const s = sums.get(r.key) ?? { ...ZERO };
    for (const k of Object.keys(ZERO) as (keyof Counts)[]) s[k] += r[k] ?? 0;
    sums.set(r.key, s);
  }
  return sums;
}

/** What an author's posts usually get: mean weighted engagement of their latest other posts. */
async function usualReach(authorId: Types.ObjectId, except: string): Promise<number> {
  const posts = await Post.find({ authorId }, { counters: 1 }).sort({ _id: -1 }).limit(21).lean();
  const others = posts.filter((p) => String(p._id) !== except).slice(0, 20);
  if (!others.length) return 0;
  return others.reduce((sum, p) => sum + weighted(p.counters ?? {}), 0) / others.length;
}

/**
 * Marks posts going viral. Window: the last two hours against the two before; a post
 * qualifies when its weighted engagement (likes, comments and shares over views) passes a
 * floor, its like-to-view ratio is healthy, and it beats both its own earlier window and
 * its author's usual reach by the threshold.
 */
export async function detectViralPosts(now = new Date()): Promise<string[]> {
  const { minEngagement, threshold, minLikeRatio } = config.posts.viral;
  const [recent, earlier] = await Promise.all([
    sumHours('post', hoursBefore(now, 0, 2)),
    sumHours('post', hoursBefore(now, 2, 2)),
  ]);
  const marked: string[] = [];
  for (const [postId, counts] of recent) {
    const velocity = weighted(counts);
    if (velocity < minEngagement) continue;
    if (counts.views > 0 && counts.likes / counts.views < minLikeRatio) continue;
    const post = await Post.findById(postId, { authorId: 1, viralAt: 1, status: 1, visibility: 1, hiddenAt: 1 }).lean();
    if (!post || post.viralAt || post.status !== 'ready' || post.hiddenAt || post.visibility !== 'public') continue;
    const before = weighted(earlier.get(postId) ?? ZERO);
    const usual = await usualReach(post.authorId, postId);
    const score = velocity / Math.max(before, usual, minEngagement / threshold);
    if (score < threshold) continue;
    const res = await Post.updateOne(
      { _id: postId, viralAt: null },
      { $set: { viralAt: now, viralScore: Math.round(score * 100) / 100, viralDay: utcDay(now) } },
    );
    if (!res.modifiedCount) continue;
    marked.push(postId);
    countLater(() => recordViralPost(postId, Math.round(score * 100) / 100, now));
  }
  return marked;
}

/**
 * Finds hashtags rising now: engagement (and posts using them) in the last window against
 * the baseline per window over the hours before. New ones wait for a moderator; an approved
 * one keeps its approval and gets the new numbers; a rejected one stays rejected.
 */
export async function detectTrendingTags(now = new Date()): Promise<string[]> {
  const { minEngagement, threshold, windowHours, baselineHours } = config.posts.trending;
  const [recent, baseline] = await Promise.all([
    sumHours('tag', hoursBefore(now, 0, windowHours)),
    sumHours('tag', hoursBefore(now, windowHours, baselineHours)),
  ]);
  const found: string[] = [];
  for (const [tag, counts] of recent) {
    const value = weighted(counts) + 5 * counts.posts;
    if (value < minEngagement) continue;
    const base = baseline.get(tag);
    const perWindow = base ? (weighted(base) + 5 * base.posts) / (baselineHours / windowHours) : 0;
    const score = (value + 1) / (perWindow + 1);
    if (score < threshold) continue;
    await TrendingTag.updateOne(
      { _id: tag },
      {
        $set: { score, recent: Math.round(value), baseline: Math.round(perWindow * 100) / 100, detectedAt: now },
        $setOnInsert: { status: 'pending' },
      },
      { upsert: true },
    );
    found.push(tag);
  }
  return found;
}

/** Posts marked viral in the last three days, for admins. */
export async function listViralPosts() {
  const posts = (
    await Promise.all(
      daysBack(3).map((day) =>
        Post.find({ viralDay: day }, { authorId: 1, viralAt: 1, viralScore: 1, counters: 1, hashtags: 1 }).lean(),
      ),
    )
  ).flat();
  return posts
    .sort((a, b) => (b.viralScore ?? 0) - (a.viralScore ?? 0))
    .map((p) => ({
      id: String(p._id),
      authorId: String(p.authorId),
      viralAt: p.viralAt,
      viralScore: p.viralScore,
      hashtags: p.hashtags,
      counters: p.counters,
    }));
}

export async function listTrendingTags(status: 'pending' | 'approved' | 'rejected') {
  const tags = await TrendingTag.find({ status }).lean();
  return tags
    .sort((a, b) => b.detectedAt.getTime() - a.detectedAt.getTime())
    .map((t) => ({
      tag: t._id,
      status: t.status,
      score: t.score,
      recent: t.recent,
      baseline: t.baseline,
      detectedAt: t.detectedAt,
    }));
}

/** A moderator's approval or rejection of a rising hashtag, audited with the status before and after. */
export async function reviewTrendingTag(staff: StaffActor, tag: string, status: 'approved' | 'rejected'): Promise<void> {
  const before = await TrendingTag.findOneAndUpdate(
    { _id: tag },
    { $set: { status, reviewedBy: staff.id, reviewedAt: new Date() } },
    { returnDocument: 'before' },
  ).lean();
  if (!before) throw notFound('Trending hashtag');
  await audit({
    action: 'content.trending_reviewed',
    ...byStaff(staff),
    target: { type: 'hashtag', id: tag },
    before: { status: before.status },
    after: { status },
  });
}

/**
 * Hour rows older than the trending baseline (plus a day of slack) serve no window:
 * deleted hour by hour, an equality on (kind, hour) each, by the hourly clean-up job.
 */
export async function deleteOldHourStats(now = new Date()): Promise<number> {
  const { windowHours, baselineHours } = config.posts.trending;
  const keep = windowHours + baselineHours + 24;
  let deleted = 0;
  for (const hour of hoursBefore(now, keep, 72)) {
    for (const kind of ['post', 'tag'] as const) deleted += (await HourStat.deleteMany({ kind, hour })).deletedCount;
  }
  return deleted;
}
