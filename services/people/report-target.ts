import type { Types } from 'mongoose';
import { Comment } from '../../models/comment.model.js';
import { Message } from '../../models/message.model.js';
import { Post } from '../../models/post.model.js';
import type { REPORT_TARGETS } from '../../models/report.model.js';

/** What can be reported (and moderated). */
export type Target = (typeof REPORT_TARGETS)[number];

/**
 * Whose a reported thing is: the profile's owner, the message's sender, the post's or
 * comment's author; null when it is gone. Staff decide nothing about themselves, and
 * moderators nothing about staff (assertMayActOn), whichever way the decision comes.
 */
export async function ownerOf(type: Target, id: Types.ObjectId | string): Promise<string | null> {
  if (type === 'user') return String(id);
  const doc =
    type === 'post'
      ? await Post.findById(id, { authorId: 1 }).lean()
      : type === 'comment'
        ? await Comment.findById(id, { authorId: 1 }).lean()
        : await Message.findById(id, { senderId: 1 }).lean();
  if (!doc) return null;
  return String('authorId' in doc ? doc.authorId : (doc as { senderId: Types.ObjectId }).senderId);
}
