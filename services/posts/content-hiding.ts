import type { Types } from 'mongoose';
import { Comment } from '../../models/comment.model.js';
import { Post } from '../../models/post.model.js';
import { notePostChanged } from '../feeds/fanout.js';
import { bump } from './counters.js';
import { countReply, isCountedOut, uncountReply } from './reply-tally.js';

type Hidable = {
  _id: Types.ObjectId;
  postId: Types.ObjectId;
  parentId?: Types.ObjectId | null;
  replies?: number;
  deletedAt?: Date | null;
  hiddenAt?: Date | null;
  countedOut?: boolean | null;
};

type Filter = Record<string, unknown>;

/**
 * A post or comment hidden by moderation (hiddenAt and the `set` fields written where the
 * filter matches); true when it matched. A post leaves the feeds. A comment leaves the counts
 * it was in: its post's comments (unless removed) and its parent's replies (unless removed
 * with none of its own), worked out from the comment as this one atomic write found it, so a
 * removal or another hiding at the same moment does not uncount it twice.
 */
export async function hideContent(type: 'post' | 'comment', filter: Filter, set: Filter): Promise<boolean> {
  if (type === 'post') return afterPostChange(filter, await Post.updateOne(filter, { $set: { hiddenAt: new Date(), ...set } }));
  const before = await Comment.findOneAndUpdate(filter, {
    $set: { hiddenAt: new Date(), ...set, countedOut: true },
  }).lean<Hidable>();
  if (!before) return false;
  if (!isCountedOut(before)) await changeCounts(before, -1);
  return true;
}

/** Hidden content shown again where the filter matches (a comment counted again where its hiding uncounted it); true when it matched. */
export async function showContent(type: 'post' | 'comment', filter: Filter): Promise<boolean> {
  const hiding = { hiddenAt: 1, hiddenReason: 1, hiddenByRole: 1 };
  if (type === 'post') return afterPostChange(filter, await Post.updateOne(filter, { $unset: hiding }));
  const before = await Comment.findOneAndUpdate(filter, { $unset: { ...hiding, countedOut: 1 } }).lean<Hidable>();
  if (!before) return false;
  if (isCountedOut(before)) await changeCounts(before, 1);
  return true;
}

async function afterPostChange(filter: Filter, res: { modifiedCount: number }): Promise<boolean> {
  if (res.modifiedCount !== 1) return false;
  await notePostChanged(String(filter._id));
  return true;
}

/**
 * A hiding's or a restore's change to the comment's counts. A live one goes through the post's
 * engagement stats too (as a removal does); the backfill's only to the post's counter (comments
 * hidden long ago are no engagement of today's).
 */
async function changeCounts(comment: Hidable, delta: 1 | -1, live = true): Promise<void> {
  if (!comment.deletedAt) {
    const post = await Post.findById(comment.postId, { authorId: 1, hashtags: 1 }).lean();
    if (post && live) await bump(post, 'comments', delta);
    else if (post) await Post.updateOne({ _id: post._id }, { $inc: { 'counters.comments': delta } });
  }
  if (!comment.deletedAt || (comment.replies ?? 0) > 0) {
    await (delta < 0 ? uncountReply : countReply)(comment.parentId);
  }
}

/** Comments hidden before hiding uncounted them, taken out of their counts (a migration's backfill); returns how many. */
export async function uncountHiddenComments(): Promise<number> {
  let done = 0;
  const stillCounted = { hiddenAt: { $ne: null }, countedOut: { $ne: true } };
  // Hidden comments are few: their ids read at once (a sorted range with a filter may lose its order on FerretDB).
  for (const { _id } of await Comment.find(stillCounted, { _id: 1 }).lean()) {
    const before = await Comment.findOneAndUpdate({ _id, ...stillCounted }, { $set: { countedOut: true } }).lean<Hidable>();
    if (!before) continue;
    await changeCounts(before, -1, false);
    done++;
  }
  return done;
}
