import type { Types } from 'mongoose';
import { Comment } from '../../models/comment.model.js';
import { Post } from '../../models/post.model.js';
import { logger } from '../../utils/logger.js';
import { eachById } from '../each-by-id.js';
import { isCountedOut } from './reply-tally.js';

interface Counted {
  _id: Types.ObjectId;
  parentId?: Types.ObjectId | null;
  depth?: number;
  deletedAt?: Date | null;
  replies?: number;
  updatedAt?: Date;
  hiddenAt?: Date | null;
  countedOut?: boolean | null;
}

// A comment written this recently may be half-way through a count's two steps (a reply counted
// before it is stored, a removal before it is uncounted): its thread is left to the live code.
const SETTLED_AFTER_MS = 10 * 60_000;

/**
 * Sets each comment's reply count of one post to the replies shown under it: a removed reply
 * counts only while replies of its own keep it as a placeholder, a hidden one not once its hiding
 * uncounted it. Worked out from the deepest
 * level up, in memory (one indexed read of the post's comments). A comment written in the last
 * minutes, and every comment above it, is left as it is (the live code may be between a
 * count's two steps), and so is one written since the read. Returns how many were set.
 */
export async function recountRepliesOf(postId: Types.ObjectId, now = new Date()): Promise<number> {
  const comments: Counted[] = await Comment.find(
    { postId },
    { parentId: 1, depth: 1, deletedAt: 1, replies: 1, updatedAt: 1, hiddenAt: 1, countedOut: 1 },
  ).lean();
  const settledBefore = now.getTime() - SETTLED_AFTER_MS;
  const shownReplies = new Map<string, number>();
  const unsettled = new Set<string>();
  for (const c of [...comments].sort((a, b) => (b.depth ?? 0) - (a.depth ?? 0))) {
    const id = String(c._id);
    if ((c.updatedAt?.getTime() ?? 0) > settledBefore) unsettled.add(id);
    if (!c.parentId) continue;
    const parent = String(c.parentId);
    if (unsettled.has(id)) unsettled.add(parent);
    const shown = !isCountedOut(c) && (!c.deletedAt || (shownReplies.get(id) ?? 0) > 0);
    if (shown) shownReplies.set(parent, (shownReplies.get(parent) ?? 0) + 1);
  }
  let set = 0;
  for (const c of comments) {
    const replies = shownReplies.get(String(c._id)) ?? 0;
    if ((c.replies ?? 0) === replies || unsettled.has(String(c._id))) continue;
    const res = await Comment.updateOne(
      { _id: c._id, replies: c.replies ?? 0, updatedAt: c.updatedAt ?? null },
      { $set: { replies } },
    );
    set += res.modifiedCount;
  }
  if (set) logger.warn('reply counts repaired', { postId: String(postId), comments: set });
  return set;
}

/** Every post's reply counts recounted (a migration's backfill); returns how many comments changed. */
export async function recountAllReplies(): Promise<number> {
  let set = 0;
  await eachById(
    (filter, size) => Post.find(filter, { _id: 1 }).sort({ _id: 1 }).limit(size).lean(),
    async ({ _id }) => void (set += await recountRepliesOf(_id)),
  );
  return set;
}
