import { config } from '../../config/index.js';
import { Comment } from '../../models/comment.model.js';
import { Post } from '../../models/post.model.js';
import { Report } from '../../models/report.model.js';
import { notePostChanged } from '../feeds/fanout.js';
import { notFound } from '../../utils/app-error.js';
import { getVisiblePost } from './post.service.js';

export type ContentTarget = 'post' | 'comment';
const modelOf = (type: ContentTarget) => (type === 'post' ? Post : Comment) as typeof Post;

/** A reporter may only report what they can see: a visible post, or a comment under one. */
export async function assertReportable(reporterId: string, type: ContentTarget, id: string): Promise<void> {
  if (type === 'post') {
    await getVisiblePost(reporterId, id);
    return;
  }
  const comment = await Comment.findOne({ _id: id, deletedAt: null }, { postId: 1 }).lean();
  if (!comment) throw notFound('Comment');
  await getVisiblePost(reporterId, String(comment.postId));
}

/**
 * Past the configured number of distinct reporters (one report each, by the unique key),
 * a post or comment is hidden until a moderator decides.
 */
export async function hideIfReportedEnough(type: ContentTarget, id: string): Promise<boolean> {
  const reporters = await Report.countDocuments({ targetType: type, targetId: id, status: 'open' });
  if (reporters < config.posts.reportHideThreshold) return false;
  const res = await modelOf(type).updateOne(
    { _id: id, hiddenAt: null },
    { $set: { hiddenAt: new Date(), hiddenReason: 'reports' } },
  );
  if (res.modifiedCount === 1 && type === 'post') await notePostChanged(id);
  return res.modifiedCount === 1;
}

/**
 * A moderator's decision on reported content: restore it (reports dismissed) or remove it
 * for good (reports reviewed; it stays hidden, marked removed).
 */
export async function moderateContent(type: ContentTarget, id: string, action: 'restore' | 'remove'): Promise<void> {
  const model = modelOf(type);
  const res =
    action === 'restore'
      ? await model.updateOne({ _id: id }, { $unset: { hiddenAt: 1, hiddenReason: 1 } })
      : await model.updateOne({ _id: id }, { $set: { hiddenAt: new Date(), hiddenReason: 'removed_by_moderator' } });
  if (res.matchedCount === 0) throw notFound(type === 'post' ? 'Post' : 'Comment');
  if (type === 'post') await notePostChanged(id);
  await Report.updateMany(
    { targetType: type, targetId: id, status: 'open' },
    { $set: { status: action === 'restore' ? 'dismissed' : 'reviewed' } },
  );
}
