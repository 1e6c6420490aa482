import { Types } from 'mongoose';
import { Connection } from '../../models/connection.model.js';
import { FeedEntry } from '../../models/feed-entry.model.js';
import { HourStat } from '../../models/hour-stat.model.js';
import { PostChange } from '../../models/post-change.model.js';
import { Post } from '../../models/post.model.js';
import { isDuplicateKey } from '../../utils/duplicate-key.js';
import { logger } from '../../utils/logger.js';
import { hourKey } from '../../utils/clock.js';

const BATCH = 1000;
const BACKFILL = 30;

async function connectionsOf(userId: Types.ObjectId | string): Promise<Types.ObjectId[]> {
  const rows = await Connection.find(
    { memberIds: new Types.ObjectId(String(userId)), status: 'accepted' },
    { memberIds: 1 },
  ).lean();
  return rows.flatMap((r) => r.memberIds).filter((id) => String(id) !== String(userId));
}

async function insertEntries(
  entries: { ownerId: Types.ObjectId; postId: Types.ObjectId; authorId: Types.ObjectId; sharedBy?: Types.ObjectId }[],
) {
  for (let i = 0; i < entries.length; i += BATCH) {
    // Unordered: an entry already there (a repeat fan-out) is skipped, the rest still go in.
    await FeedEntry.insertMany(entries.slice(i, i + BATCH), { ordered: false }).catch((err: { writeErrors?: unknown[] }) => {
      const failures = Array.isArray(err.writeErrors) ? err.writeErrors : [err];
      if (!failures.every(isDuplicateKey)) throw err;
    });
  }
}

/**
 * A post about to become ready: every connection of its author gets it in their Following
 * feed (connections-only posts too: they are connections). Written before the post turns
 * ready, so "ready" means its connections have it; an entry of a post not ready is never
 * served, and a repeat (a retried job) skips the entries already there.
 */
export async function fanOutPost(post: { _id: Types.ObjectId; authorId: Types.ObjectId }): Promise<void> {
  const owners = await connectionsOf(post.authorId);
  await insertEntries(owners.map((ownerId) => ({ ownerId, postId: post._id, authorId: post.authorId })));
}

/** A post just became ready: its hashtags count as used this hour, for the trending job. */
export async function countPostTags(post: { hashtags?: string[] | null }): Promise<void> {
  const hour = hourKey(new Date());
  const tags = post.hashtags ?? [];
  // Ten at a time: a post may have 30, and FerretDB (the test database) hangs on bulk
  // writes of a few dozen updates.
  for (let i = 0; i < tags.length; i += 10) {
    await HourStat.bulkWrite(
      tags.slice(i, i + 10).map((tag) => ({
        updateOne: {
          filter: { _id: `t:${tag}:${hour}` },
          update: { $inc: { posts: 1 }, $setOnInsert: { kind: 'tag', key: tag, hour } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }
}

/** A connection shared a post to their feed: their connections get it, marked as shared. */
export async function fanOutShare(sharerId: string, post: { _id: Types.ObjectId; authorId: Types.ObjectId }): Promise<void> {
  const owners = (await connectionsOf(sharerId)).filter((id) => String(id) !== String(post.authorId));
  await insertEntries(
    owners.map((ownerId) => ({ ownerId, postId: post._id, authorId: post.authorId, sharedBy: new Types.ObjectId(sharerId) })),
  );
}

/** Two people just connected: each gets the other's recent posts, so the feed is not empty until the next post. */
export async function backfillConnection(a: string, b: string): Promise<void> {
  for (const [owner, author] of [
    [a, b],
    [b, a],
  ] as const) {
    const recent = await Post.find({ authorId: new Types.ObjectId(author), status: 'ready' }, { _id: 1 })
      .sort({ _id: -1 })
      .limit(BACKFILL)
      .lean();
    await insertEntries(
      recent.reverse().map((p) => ({ ownerId: new Types.ObjectId(owner), postId: p._id, authorId: new Types.ObjectId(author) })),
    ).catch((err: unknown) => logger.warn('feed backfill failed', { error: String(err) }));
  }
}

/**
 * Two people stopped being connected (an unfriend, a block): what each got in Following
 * from or through the other goes, so nothing outlives the connection it was written for.
 */
export async function dropFeedEntriesBetween(a: string, b: string): Promise<void> {
  const [x, y] = [new Types.ObjectId(a), new Types.ObjectId(b)];
  await Promise.all(
    [
      [x, y],
      [y, x],
    ].flatMap(([owner, other]) => [
      FeedEntry.deleteMany({ ownerId: owner, authorId: other }),
      FeedEntry.deleteMany({ ownerId: owner, sharedBy: other }),
    ]),
  );
}

/** Records that a post changed this hour, so every process's index of recent posts re-reads it. */
export async function notePostChanged(postId: Types.ObjectId | string): Promise<void> {
  const hour = hourKey(new Date());
  await PostChange.updateOne(
    { _id: `${String(postId)}:${hour}` },
    { $setOnInsert: { postId: new Types.ObjectId(String(postId)), hour } },
    { upsert: true },
  );
}

/** Change records of a day to four days ago go (the hourly clean-up job runs well inside that). */
export async function deleteOldPostChanges(now = new Date()): Promise<number> {
  let deleted = 0;
  for (let h = 24; h < 96; h++) {
    deleted += (await PostChange.deleteMany({ hour: hourKey(new Date(now.getTime() - h * 3_600_000)) })).deletedCount;
  }
  return deleted;
}
