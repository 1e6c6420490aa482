import type { Types } from 'mongoose';
import { Comment } from '../../models/comment.model.js';
import type { CounterName } from '../../models/engagement-counts.js';
import { HourStat } from '../../models/hour-stat.model.js';
import { Bookmark } from '../../models/bookmark.model.js';
import { CreatorDayStat } from '../../models/creator-day-stat.model.js';
import { PostDayStat } from '../../models/post-day-stat.model.js';
import { PostShare } from '../../models/post-share.model.js';
import { PostView } from '../../models/post-view.model.js';
import { PostLike } from '../../models/post-like.model.js';
import { Post } from '../../models/post.model.js';
import { logger } from '../../utils/logger.js';
import { perKeyThrottle } from '../../utils/per-key-throttle.js';
import { eachById } from '../each-by-id.js';

import { publishToUser } from '../realtime.service.js';
import { hourKey, utcDay } from '../../utils/clock.js';

export type { CounterName } from '../../models/engagement-counts.js';

/** The author hears a post's counters change at most once a second per post. */
const throttle = perKeyThrottle(1000);

function notifyAuthor(postId: string, authorId: string): void {
  throttle(postId, () => {
    Post.findById(postId, { counters: 1 })
      .lean()
      .then((post) => {
        if (post) publishToUser(authorId, 'post:counters', { postId, counters: post.counters });
      })
      .catch((err: unknown) => logger.warn('counter notice failed', { postId, error: String(err) }));
  });
}

/**
 * Records one engagement change where it is counted: the post's counter, the post's day
 * and the creator's day, each an atomic $inc (upserted for a new day). Called only after
 * the source record (a like, a view) was actually written or removed, so counters follow
 * the records; the repair job recounts them from the records should a crash come between.
 */
export async function bump(
  post: { _id: Types.ObjectId | string; authorId: Types.ObjectId | string; hashtags?: string[] | null },
  counter: CounterName,
  delta: 1 | -1,
) {
  const postId = String(post._id);
  const authorId = String(post.authorId);
  const now = new Date();
  const day = utcDay(now);
  const hour = hourKey(now);
  // The post's and its hashtags' hour, for the viral and trending windows.
  const hourly = [{ kind: 'post', key: postId }, ...(post.hashtags ?? []).slice(0, 10).map((tag) => ({ kind: 'tag', key: tag }))];
  await Promise.all([
    HourStat.bulkWrite(
      hourly.map((h) => ({
        updateOne: {
          filter: { _id: `${h.kind === 'post' ? 'p' : 't'}:${h.key}:${hour}` },
          update: { $inc: { [counter]: delta }, $setOnInsert: { kind: h.kind, key: h.key, hour } },
          upsert: true,
        },
      })),
      { ordered: false },
    ),
    Post.updateOne({ _id: postId }, { $inc: { [`counters.${counter}`]: delta } }),
    PostDayStat.updateOne(
      { _id: `${postId}:${day}` },
      { $inc: { [counter]: delta }, $setOnInsert: { postId, authorId, day } },
      { upsert: true },
    ),
    CreatorDayStat.updateOne(
      { _id: `${authorId}:${day}` },
      { $inc: { [counter]: delta }, $setOnInsert: { authorId, day } },
      { upsert: true },
    ),
  ]);
  notifyAuthor(postId, authorId);
}

/** A post's counters as its records say (shares: the people who shared it, its author aside). */
export async function countFromRecords(post: { _id: Types.ObjectId | string; authorId: Types.ObjectId | string }) {
  const postId = post._id;
  const [likes, comments, sharers, views, bookmarks] = await Promise.all([
    PostLike.countDocuments({ postId }),
    // Not one whose hiding took it out of the counts (as reply-tally's isCountedOut).
    Comment.countDocuments({ postId, deletedAt: null, $nor: [{ hiddenAt: { $ne: null }, countedOut: true }] }),
    PostShare.distinct('userId', { postId, userId: { $ne: post.authorId } }),
    PostView.countDocuments({ postId }),
    Bookmark.countDocuments({ postId }),
  ]);
  return { likes, comments, shares: sharers.length, views, bookmarks };
}

/**
 * The repair job: recounts posts engaged with since `since` (by their day stats) from the
 * source records and fixes any counter that drifted. Returns how many posts it corrected.
 */
export async function repairPostCounters(since: Date): Promise<number> {
  const days = [];
  for (let t = since.getTime(); t <= Date.now(); t += 86_400_000) days.push(utcDay(new Date(t)));
  if (!days.includes(utcDay(new Date()))) days.push(utcDay(new Date()));
  const touched = new Set<string>();
  for (const day of days) {
    const stats = await PostDayStat.find({ day }, { postId: 1 }).lean();
    for (const s of stats) touched.add(String(s.postId));
  }
  let fixed = 0;
  for (const postId of touched) if (await recount(postId)) fixed++;
  return fixed;
}

/** Sets one post's counters to what its records say; true when they had drifted. */
async function recount(postId: Types.ObjectId | string): Promise<boolean> {
  const post = await Post.findById(postId, { counters: 1, authorId: 1 }).lean();
  if (!post) return false;
  const counted = await countFromRecords(post);
  const c = post.counters ?? {};
  const drifted = (Object.keys(counted) as CounterName[]).some((k) => (c[k] ?? 0) !== counted[k]);
  if (!drifted) return false;
  await Post.updateOne({ _id: postId }, { $set: { counters: counted } });
  logger.warn('post counters repaired', { postId, was: c, now: counted });
  return true;
}

/** Every post's counters recounted from the records (a migration's backfill); returns how many changed. */
export async function recountAllPostCounters(): Promise<number> {
  let fixed = 0;
  await eachById(
    (filter, size) => Post.find(filter, { _id: 1 }).sort({ _id: 1 }).limit(size).lean(),
    async ({ _id }) => void ((await recount(_id)) && fixed++),
  );
  return fixed;
}
