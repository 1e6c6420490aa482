import type { Types } from 'mongoose';
import { Comment } from '../../models/comment.model.js';
import { Post } from '../../models/post.model.js';
import { logger } from '../../utils/logger.js';
import { eachById } from '../each-by-id.js';

interface Counted {
  _id: Types.ObjectId;
  parentId?: Types.ObjectId | null;
  depth?: number;
  deletedAt?: Date | null;
  replies?: number;
}

/**
 * Sets each comment's reply count of one post to the replies shown under it: a removed reply
 * counts only while replies of its own keep it as a placeholder. Worked out from the deepest
 * level up, in memory (one indexed read of the post's comments); a count that changed since
 * the read (a reply added meanwhile) is left as it is. Returns how many were set.
 */
export async function recountRepliesOf(postId: Types.ObjectId): Promise<number> {
  const comments: Counted[] = await Comment.find({ postId }, { parentId: 1, depth: 1, deletedAt: 1, replies: 1 }).lean();
  const shownReplies = new Map<string, number>();
  for (const c of [...comments].sort((a, b) => (b.depth ?? 0) - (a.depth ?? 0))) {
    const shown = !c.deletedAt || (shownReplies.get(String(c._id)) ?? 0) > 0;
    if (shown && c.parentId) shownReplies.set(String(c.parentId), (shownReplies.get(String(c.parentId)) ?? 0) + 1);
  }
  let set = 0;
  for (const c of comments) {
    const replies = shownReplies.get(String(c._id)) ?? 0;
    if ((c.replies ?? 0) === replies) continue;
    const res = await Comment.updateOne({ _id: c._id, replies: c.replies ?? 0 }, { $set: { replies } });
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
