import { countLater, recordEvent } from '../analytics/record.js';
import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { Comment } from '../../models/comment.model.js';
import { Post } from '../../models/post.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { cleanText } from '../../utils/text.js';
import { hiddenUserIds, isBlockedEitherWay } from '../people/block.service.js';
import { publishToUser } from '../realtime.service.js';
import { notify, notifyLater } from '../notifications/notification.service.js';
import { processImage } from '../storage/image-processing.js';
import type { StorageProvider } from '../storage/storage.provider.js';
import { usersById } from '../people/user.service.js';
import { noteEngagement } from './affinity.js';
import { bump } from './counters.js';
import { isCountedOut, uncountReply } from './reply-tally.js';
import { admitPictureLength, type DeclaredUpload } from '../uploads/upload-admission.service.js';
import { canSee, captionFields, getVisiblePost } from './post.service.js';
import { commentMediaPrefix } from '../storage/media-links.js';
import { storePrivateImage } from '../storage/storage.provider.js';
import { imageView, type ImageKeys } from './post.view.js';
import { openIdCursor, sealedNextCursorOf } from '../page-cursor.js';

const MAX_COMMENT = 2000;

export interface NewComment {
  text?: string;
  parentId?: string;
  image?: Buffer;
}

type CommentDoc = {
  _id: Types.ObjectId;
  postId: Types.ObjectId;
  authorId: Types.ObjectId;
  parentId?: Types.ObjectId | null;
  rootId?: Types.ObjectId | null;
  depth?: number;
  text?: string;
  mentions?: Types.ObjectId[];
  image?: ImageKeys | null;
  replies?: number;
  deletedAt?: Date | null;
  createdAt?: Date;
};

/**
 * Comments as shown. A removed one (kept only for its replies) names nobody, so the thread
 * stays whole when its author is gone too; one whose author is banned is left out.
 */
async function commentViews(comments: CommentDoc[]) {
  const authors = await usersById([...new Set(comments.flatMap((c) => (c.deletedAt ? [] : [String(c.authorId)])))]);
  return comments
    .filter((c) => c.deletedAt || authors.has(String(c.authorId)))
    .map((c) => {
      const a = c.deletedAt ? null : authors.get(String(c.authorId))!;
      return {
        id: String(c._id),
        postId: String(c.postId),
        parentId: c.parentId ? String(c.parentId) : null,
        depth: c.depth ?? 0,
        text: c.text ?? '',
        // A removed comment shows nothing of what it said (those removed before it was blanked kept them).
        mentions: c.deletedAt ? [] : (c.mentions ?? []).map(String),
        image: c.deletedAt ? null : imageView(c.image),
        replies: c.replies ?? 0,
        deleted: Boolean(c.deletedAt),
        author: a && { id: String(c.authorId), username: a.username, firstName: a.firstName },
        createdAt: c.createdAt,
      };
    });
}

/**
 * Before nginx reads a comment (GET /posts/:id/comments/check, asked with its headers): a post
 * the commenter may see, and the comment's length (a picture's at most: admitPictureLength).
 */
export async function admitCommentUpload(userId: string, postId: string, upload: DeclaredUpload): Promise<void> {
  await getVisiblePost(userId, postId);
  await admitPictureLength(userId, upload);
}

/**
 * Comments on a post, or replies to a comment (threads to any depth). @mentions tell the
 * people named, when they may see the post; text passes the same filter as captions.
 */
export async function addComment(userId: string, postId: string, input: NewComment, storage: StorageProvider) {
  const post = await getVisiblePost(userId, postId);
  const text = cleanText(input.text ?? '');
  if (text.length > MAX_COMMENT) throw new AppError('COMMENT_TOO_LONG', `Comments may be at most ${MAX_COMMENT} characters`);
  if (!text && !input.image) throw new AppError('EMPTY_COMMENT', 'Write something or attach an image');
  let parent: CommentDoc | null = null;
  if (input.parentId) {
    parent = await Comment.findOne({ _id: input.parentId, postId, deletedAt: null, hiddenAt: null }).lean();
    if (!parent) throw notFound('Comment');
    if (await isBlockedEitherWay(userId, String(parent.authorId))) throw notFound('Comment');
  }
  const { caption, mentions } = await captionFields(userId, text);
  // Counted first, on a parent not removed or hidden meanwhile: a removal at the same moment
  // either sees this reply (and keeps the parent as a placeholder) or refuses it.
  if (
    parent &&
    (await Comment.updateOne({ _id: parent._id, deletedAt: null, hiddenAt: null }, { $inc: { replies: 1 } })).modifiedCount === 0
  ) {
    throw notFound('Comment');
  }
  const commentId = new Types.ObjectId();
  let comment;
  try {
    comment = await storeComment(commentId, { postId: post._id, authorId: userId, parent, caption, mentions }, input, storage);
  } catch (err) {
    if (parent) await uncountReply(parent._id);
    throw err;
  }
  await bump(post, 'comments', 1);
  noteEngagement(userId, post, 'comment');
  const [view] = await commentViews([comment.toObject() as CommentDoc]);
  void tellOfComment(userId, post, String(commentId), parent, mentions).catch((err: unknown) =>
    logger.warn('comment notices failed', { commentId: String(commentId), error: errorMessage(err) }),
  );
  countLater(() => recordEvent('comment', { userId }));
  return view!;
}

/** The comment's image (when it has one) stored, then the comment. */
async function storeComment(
  commentId: Types.ObjectId,
  fields: { postId: Types.ObjectId; authorId: string; parent: CommentDoc | null; caption: string; mentions: Types.ObjectId[] },
  input: NewComment,
  storage: StorageProvider,
) {
  const { parent } = fields;
  let image;
  let objects: string[] = [];
  if (input.image) {
    const stored = await storePrivateImage(
      storage.files,
      commentMediaPrefix(String(commentId)),
      await processImage(input.image, config.uploads.maxPixels),
    );
    image = { keys: stored.keys, width: stored.width, height: stored.height };
    objects = stored.objects;
  }
  return Comment.create({
    _id: commentId,
    postId: fields.postId,
    authorId: fields.authorId,
    parentId: parent?._id ?? null,
    rootId: parent ? (parent.rootId ?? parent._id) : null,
    depth: parent ? (parent.depth ?? 0) + 1 : 0,
    text: fields.caption,
    mentions: fields.mentions,
    image,
    objects,
  });
}

type SeenPost = Parameters<typeof canSee>[1] & { _id: Types.ObjectId; authorId: Types.ObjectId };

/**
 * A reply tells the comment's author (gathered per comment) while they may still see the
 * post; a comment tells the post's author (per post); mentions tell each person named.
 */
async function tellOfComment(
  byId: string,
  post: SeenPost,
  commentId: string,
  parent: { _id: Types.ObjectId; authorId: Types.ObjectId } | null | undefined,
  mentions: Types.ObjectId[],
) {
  const postId = String(post._id);
  if (!parent) {
    notifyLater({ userId: String(post.authorId), type: 'comment', actorId: byId, target: { kind: 'post', id: postId } });
  } else if (await canSee(String(parent.authorId), post)) {
    notifyLater({
      userId: String(parent.authorId),
      type: 'reply',
      actorId: byId,
      target: { kind: 'comment', id: String(parent._id) },
      data: { postId },
    });
  }
  await notifyMentions(byId, post, commentId, mentions);
}

async function notifyMentions(byId: string, post: SeenPost, commentId: string, mentions: Types.ObjectId[]) {
  const by = (await usersById([byId])).get(byId);
  if (!by) return;
  for (const id of mentions.map(String)) {
    if (id === byId) continue;
    if (!(await canSee(id, post)) || (await isBlockedEitherWay(id, byId))) continue;
    // Told once per post and person mentioning: more comments naming them are not more news.
    // The live event follows the notice: none where mentions are switched off, or told already.
    const postId = String(post._id);
    const told = await notify({
      userId: id,
      type: 'mention',
      actorId: byId,
      target: { kind: 'comment', id: commentId },
      data: { postId },
      once: postId,
    }).catch((err: unknown) => {
      logger.warn('notification failed', { type: 'mention', error: errorMessage(err) });
      return false;
    });
    if (told) publishToUser(id, 'post:mentioned', { postId, commentId, by: { id: byId, username: by.username } });
  }
}

const COMMENTS_PAGE = 'post-comments';

/**
 * A post's top-level comments, or one comment's replies, oldest first, without blocked
 * people's or hidden ones. The cursor is sealed: the last comment read may be one of those.
 */
export async function listComments(
  viewerId: string,
  postId: string,
  page: { parentId?: string; limit: number; cursor?: string },
) {
  await getVisiblePost(viewerId, postId);
  const hidden = new Set((await hiddenUserIds(viewerId)).map(String));
  const comments = (await Comment.find({
    postId: new Types.ObjectId(postId),
    parentId: page.parentId ? new Types.ObjectId(page.parentId) : null,
    ...(page.cursor && { _id: { $gt: new Types.ObjectId(openIdCursor(COMMENTS_PAGE, page.cursor)) } }),
  })
    .sort({ _id: 1 })
    .limit(page.limit)
    .lean()) as (CommentDoc & { hiddenAt?: Date })[];
  // A deleted comment with replies stays as an empty placeholder, so its thread still hangs together.
  const shown = comments.filter((c) => (!c.deletedAt || (c.replies ?? 0) > 0) && !c.hiddenAt && !hidden.has(String(c.authorId)));
  return {
    items: await commentViews(shown),
    nextCursor: sealedNextCursorOf(COMMENTS_PAGE, comments, page.limit),
  };
}

/**
 * The comment's author or the post's author deletes it; its replies stay, under a removed
 * comment. One's own comment can always be taken back, even under a post one may no longer
 * see (a block since, the post hidden, its author banned or suspended).
 */
export async function deleteComment(userId: string, commentId: string, storage: StorageProvider) {
  const comment = await Comment.findOne({ _id: commentId, deletedAt: null }).lean();
  if (!comment) throw notFound('Comment');
  const own = String(comment.authorId) === userId;
  const post = own
    ? await Post.findById(comment.postId, { authorId: 1, hashtags: 1 }).lean()
    : await getVisiblePost(userId, String(comment.postId));
  if (!own && String(post!.authorId) !== userId) {
    throw new AppError('NOT_COMMENT_AUTHOR', 'Only its author or the post author can delete a comment');
  }
  if ((await blankComment(comment, post)) && comment.objects?.length) await storage.deleteObjects(comment.objects);
}

/**
 * Marks a comment removed (its replies keep their place) and uncounts it; false when it
 * already was. One with no replies is no longer shown, so its parent counts it no more.
 */
async function blankComment(comment: { _id: Types.ObjectId }, post: Parameters<typeof bump>[0] | null): Promise<boolean> {
  const blanked = await Comment.findOneAndUpdate(
    { _id: comment._id, deletedAt: null },
    { $set: { deletedAt: new Date(), text: '', mentions: [] }, $unset: { image: 1 } },
  ).lean();
  if (!blanked) return false;
  // One hidden by moderation left its counts then.
  if (isCountedOut(blanked)) return true;
  if (post) await bump(post, 'comments', -1);
  if (!blanked.replies) await uncountReply(blanked.parentId);
  return true;
}

/**
 * Every comment of a deleted account, as its author would delete them: blank and uncounted.
 * Their ids are read once by the author index, then each comment by id, so the work grows
 * with the number of comments (paging with a sort and a range loses the limit on FerretDB).
 * Returns the objects of their images, for the caller to delete.
 */
export async function blankCommentsOf(authorId: Types.ObjectId): Promise<string[]> {
  const objects: string[] = [];
  const ids = await Comment.find({ authorId, deletedAt: null }, { _id: 1 }).lean();
  for (const { _id } of ids) {
    const comment = await Comment.findOne({ _id, deletedAt: null }, { postId: 1, objects: 1 }).lean();
    if (!comment) continue;
    const post = await Post.findById(comment.postId, { authorId: 1, hashtags: 1 }).lean();
    if (await blankComment(comment, post)) objects.push(...(comment.objects ?? []));
  }
  return objects;
}
