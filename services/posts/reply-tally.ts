import type { Types } from 'mongoose';
import { Comment } from '../../models/comment.model.js';

// A comment's `replies` counts the replies shown under it: not hidden by moderation (once its
// hiding uncounted it), and not removed unless replies of its own keep it as a placeholder.
export const isCountedOut = (c: { hiddenAt?: Date | null; countedOut?: boolean | null }) => Boolean(c.hiddenAt && c.countedOut);

/**
 * One reply fewer shown under a comment; a removed comment left with none is no longer shown
 * either, so its own parent counts it no more, and so on up the thread (not past one whose
 * hiding took it out of its parent's count already).
 */
export async function uncountReply(parentId: Types.ObjectId | null | undefined): Promise<void> {
  for (let id = parentId; id;) {
    const parent = await Comment.findOneAndUpdate(
      { _id: id, replies: { $gt: 0 } },
      { $inc: { replies: -1 } },
      { returnDocument: 'after' },
    ).lean();
    if (!parent?.deletedAt || parent.replies > 0 || isCountedOut(parent)) return;
    id = parent.parentId;
  }
}

/**
 * One reply more shown under a comment (one shown again); a removed comment that had none is
 * shown again with it, so its own parent counts it again, and so on up the thread.
 */
export async function countReply(parentId: Types.ObjectId | null | undefined): Promise<void> {
  for (let id = parentId; id;) {
    const parent = await Comment.findOneAndUpdate({ _id: id }, { $inc: { replies: 1 } }, { returnDocument: 'after' }).lean();
    if (!parent?.deletedAt || parent.replies !== 1 || isCountedOut(parent)) return;
    id = parent.parentId;
  }
}
