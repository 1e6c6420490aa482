import { countLater, recordEvent } from '../analytics/record.js';
import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { Bookmark } from '../../models/bookmark.model.js';
import { BookmarkCollection } from '../../models/bookmark-collection.model.js';
import { PostShare } from '../../models/post-share.model.js';
import { PostView } from '../../models/post-view.model.js';
import { PostLike } from '../../models/post-like.model.js';
import { Post } from '../../models/post.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { insertedOnce, isDuplicateKey } from '../../utils/duplicate-key.js';
import { hiddenUserIds } from '../people/block.service.js';
import { sendMessage } from '../chat/message.service.js';

import { usersById } from '../people/user.service.js';
import { fanOutShare } from '../feeds/fanout.js';
import { notifyLater } from '../notifications/notification.service.js';
import { bump } from './counters.js';
import { noteEngagement } from './affinity.js';
import { getVisiblePost } from './post.service.js';
import { postView, type PostDoc } from './post.view.js';
import { utcDay } from '../../utils/clock.js';
import { nextCursorOf, olderThan, openIdCursor, sealedNextCursorOf } from '../page-cursor.js';

/** Likes a post once; a second like changes nothing. */
export async function likePost(userId: string, postId: string) {
  const post = await getVisiblePost(userId, postId);
  if (!(await insertedOnce(() => PostLike.create({ postId, userId })))) return { liked: true, changed: false };
  await bump(post, 'likes', 1);
  noteEngagement(userId, post, 'like');
  notifyLater({
    userId: String(post.authorId),
    type: 'like',
    actorId: userId,
    target: { kind: 'post', id: postId },
    once: postId,
  });
  countLater(() => recordEvent('like', { userId }));
  return { liked: true, changed: true };
}

export async function unlikePost(userId: string, postId: string) {
  const changed = await takeBack(userId, postId, 'likes', () => PostLike.deleteOne({ postId, userId }));
  return { liked: false, changed };
}

/**
 * Takes back one's own like or bookmark, even on a post one may no longer see (a block
 * since, the post hidden, its author suspended): what one gave is one's own. With nothing
 * to take back, a post one may not see answers 404, as any read of it does.
 */
async function takeBack(
  userId: string,
  postId: string,
  counter: 'likes' | 'bookmarks',
  remove: () => Promise<{ deletedCount: number }>,
): Promise<boolean> {
  const post = await Post.findById(postId, { authorId: 1, hashtags: 1 }).lean();
  if (!post) throw notFound('Post');
  if ((await remove()).deletedCount === 1) {
    await bump(post, counter, -1);
    return true;
  }
  await getVisiblePost(userId, postId);
  return false;
}

const LIKERS_PAGE = 'post-likers';

/** Who liked a post, newest first, without anyone the viewer blocked or was blocked by (the cursor sealed: it may be theirs). */
export async function listLikers(viewerId: string, postId: string, page: { limit: number; cursor?: string }) {
  await getVisiblePost(viewerId, postId);
  const hidden = new Set((await hiddenUserIds(viewerId)).map(String));
  const likes = await PostLike.find({ postId, ...olderThan(openIdCursor(LIKERS_PAGE, page.cursor)) })
    .sort({ _id: -1 })
    .limit(page.limit)
    .lean();
  const users = await usersById(likes.map((l) => String(l.userId)).filter((id) => !hidden.has(id)));
  return {
    items: likes
      .filter((l) => users.has(String(l.userId)))
      .map((l) => {
        const u = users.get(String(l.userId))!;
        return { userId: String(l.userId), username: u.username, firstName: u.firstName, likedAt: l.createdAt };
      }),
    nextCursor: sealedNextCursorOf(LIKERS_PAGE, likes, page.limit),
  };
}

/** Counts a view once per viewer per post per UTC day; the author's own views do not count. */
export async function viewPost(userId: string, postId: string) {
  const post = await getVisiblePost(userId, postId);
  if (String(post.authorId) === userId) return { counted: false };
  const day = utcDay(new Date());
  if (!(await insertedOnce(() => PostView.create({ _id: `${postId}:${userId}:${day}`, postId, userId, day })))) {
    return { counted: false };
  }
  await bump(post, 'views', 1);
  noteEngagement(userId, post, 'view');
  return { counted: true };
}

/**
 * Shares a post to the sharer's feed (once) or into one of their conversations, as a
 * message with the post's link. The count (and what ranks posts: trending, viral) is of
 * people: a sharer counts once however often they send it on, the author not at all, so one
 * account sending a post into a chat again and again cannot make it viral.
 */
export async function sharePost(
  userId: string,
  postId: string,
  target: { to: 'feed' } | { to: 'conversation'; conversationId: string; clientMessageId: string },
) {
  const post = await getVisiblePost(userId, postId);
  let key = 'feed';
  let conversationId: string | undefined;
  let messageId: string | undefined;
  // A share reaches the sharer's audience, not the author's: only public posts go further.
  if (post.visibility !== 'public') {
    throw new AppError('NOT_SHAREABLE', 'Posts for connections only cannot be shared');
  }
  if (target.to === 'conversation') {
    const sent = await sendMessage(userId, {
      conversationId: target.conversationId,
      clientMessageId: target.clientMessageId,
      text: `${config.appUrl}/posts/${postId}`,
    });
    key = `message:${sent.message.id}`;
    conversationId = target.conversationId;
    messageId = sent.message.id;
  }
  if (!(await insertedOnce(() => PostShare.create({ postId, userId, target: target.to, conversationId, key })))) {
    return { shared: true, changed: false, messageId };
  }
  // A race of one person's first two shares may count neither; the repair job recounts.
  if (String(post.authorId) !== userId && (await PostShare.countDocuments({ postId, userId })) === 1) {
    await bump(post, 'shares', 1);
    noteEngagement(userId, post, 'share');
  }
  // A share into a private conversation is that conversation's business: only feed shares are told.
  if (target.to === 'feed') {
    notifyLater({
      userId: String(post.authorId),
      type: 'share',
      actorId: userId,
      target: { kind: 'post', id: postId },
      once: postId,
    });
  }
  if (target.to === 'feed') await fanOutShare(userId, post);
  countLater(() => recordEvent('share', { userId, sums: { [`share_${target.to}`]: 1 } }));
  return { shared: true, changed: true, messageId };
}

async function ownCollection(userId: string, collectionId: string | null | undefined) {
  if (!collectionId) return null;
  const found = await BookmarkCollection.exists({ _id: collectionId, userId });
  if (!found) throw notFound('Collection');
  return new Types.ObjectId(collectionId);
}

/** Bookmarks a post into a collection (or "Saved"); bookmarking again moves it. */
export async function bookmarkPost(userId: string, postId: string, collectionId?: string | null) {
  const post = await getVisiblePost(userId, postId);
  const collection = await ownCollection(userId, collectionId);
  const res = await Bookmark.updateOne(
    { userId, postId },
    { $set: { collectionId: collection }, $setOnInsert: { userId, postId } },
    { upsert: true },
  ).catch((err: unknown) => {
    if (isDuplicateKey(err)) return { upsertedCount: 0 };
    throw err;
  });
  if (res.upsertedCount === 1) {
    await bump(post, 'bookmarks', 1);
    noteEngagement(userId, post, 'bookmark');
  }
  return { bookmarked: true, collectionId: collection ? String(collection) : null };
}

export async function unbookmarkPost(userId: string, postId: string) {
  await takeBack(userId, postId, 'bookmarks', () => Bookmark.deleteOne({ userId, postId }));
  return { bookmarked: false };
}

export async function createCollection(userId: string, name: string) {
  try {
    const c = await BookmarkCollection.create({ userId, name });
    return { id: String(c._id), name: c.name };
  } catch (err) {
    if (isDuplicateKey(err)) throw new AppError('COLLECTION_EXISTS', 'You already have a collection with this name');
    throw err;
  }
}

export async function listCollections(userId: string) {
  const collections = await BookmarkCollection.find({ userId }, { name: 1 }).sort({ _id: 1 }).limit(200).lean();
  return collections.map((c) => ({ id: String(c._id), name: c.name }));
}

/** Deletes a collection; its bookmarks move to "Saved". */
export async function deleteCollection(userId: string, collectionId: string) {
  const removed = await BookmarkCollection.deleteOne({ _id: collectionId, userId });
  if (removed.deletedCount === 0) throw notFound('Collection');
  await Bookmark.updateMany({ userId, collectionId }, { $set: { collectionId: null } });
}

/** A collection's (or "Saved"'s) posts, newest bookmark first, skipping posts the user may no longer see. */
export async function listBookmarks(userId: string, collectionId: string | null, page: { limit: number; cursor?: string }) {
  const collection = await ownCollection(userId, collectionId);
  const marks = await Bookmark.find({
    userId,
    collectionId: collection,
    ...olderThan(page.cursor),
  })
    .sort({ _id: -1 })
    .limit(page.limit)
    .lean();
  // Posts deleted, hidden or no longer visible since they were saved are skipped.
  const posts = await Promise.all(marks.map((m) => getVisiblePost(userId, String(m.postId)).catch(() => null)));
  const items = posts.filter((p) => p !== null).map((p) => ({ ...postView(p as PostDoc), failReason: null }));
  return { items, nextCursor: nextCursorOf(marks, page.limit) };
}
