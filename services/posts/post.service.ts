import { countLater, recordEvent } from '../analytics/record.js';
import { runtime } from '../runtime-settings.service.js';
import { open, rm } from 'node:fs/promises';
import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { POST_MAX_IMAGES } from '../../config/constants.js';
import { Post, type PostVisibility } from '../../models/post.model.js';
import { User } from '../../models/user.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { geoCellsOf } from '../../utils/geo.js';
import { isBlockedEitherWay } from '../people/block.service.js';
import { inGoodStanding, standsWell } from '../people/standing.js';
import { filterProfanity } from '../chat/profanity.js';
import { isConnected } from '../connections/connection.service.js';
import { notePostChanged } from '../feeds/fanout.js';
import { isObjectIdString, openCursor, sealCursor } from '../page-cursor.js';
import { dailyCounterHasRoom, takeFromDailyCounter } from '../limits/daily-counter.js';
import { postMediaPrefix } from '../storage/media-links.js';
import type { StorageProvider } from '../storage/storage.provider.js';
import { parseCaption } from './caption.js';
import type { MediaQueue } from './media-queue.js';
import { sniffPostMedia, type PostMediaType } from './media-type.js';
import { POST_FIELDS, postView, type PostDoc } from './post.view.js';
import { nextUtcMidnight } from '../../utils/clock.js';

export interface UploadedFile {
  path: string;
  size: number;
}

export interface NewPost {
  caption?: string;
  visibility?: PostVisibility;
  sensitive?: boolean;
  place?: { name: string; lat?: number; lng?: number };
}

export interface MediaDeps {
  storage: StorageProvider;
  queue: MediaQueue;
}

async function headOf(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** One to ten images, or one video; anything else (a text file called .mp4) is refused before it is stored. */
async function checkMedia(files: UploadedFile[]): Promise<{ kind: 'images' | 'video'; types: PostMediaType[] }> {
  if (files.length === 0) throw new AppError('MEDIA_REQUIRED', 'A post needs one to ten images or one video');
  const types: PostMediaType[] = [];
  for (const file of files) {
    const type = sniffPostMedia(await headOf(file.path));
    if (!type) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Upload JPEG, PNG, WebP or HEIC images, or an MP4, MOV or WebM video');
    }
    types.push(type);
  }
  const videos = types.filter((t) => t.kind === 'video').length;
  if (videos > 0 && files.length > 1) throw new AppError('TOO_MANY_MEDIA', 'A reel holds exactly one video and nothing else');
  if (files.length > POST_MAX_IMAGES) {
    throw new AppError('TOO_MANY_MEDIA', `A post holds at most ${POST_MAX_IMAGES} images`);
  }
  return { kind: videos ? 'video' : 'images', types };
}

/**
 * Caption text as stored: cleaned, filtered per config, with its hashtags and the mentioned
 * users whose profile the author may see (in good standing, no block either way). The ids
 * go back to the author: a name that resolves for no one else must not here either.
 */
export async function captionFields(authorId: string, caption: string) {
  const text = filterProfanity(caption, config.posts.profanity, runtime().moderationTerms);
  const parsed = parseCaption(text);
  // One indexed equality per name (at most 30): FerretDB answers $in with a full scan.
  const mentioned = await Promise.all(
    parsed.mentions.map(async (username) => {
      const user = await User.findOne({ username, deletedAt: null, ...inGoodStanding() }, { _id: 1 }).lean();
      if (!user || String(user._id) === authorId) return user;
      return (await isBlockedEitherWay(authorId, user._id)) ? null : user;
    }),
  );
  return { caption: text, hashtags: parsed.hashtags, mentions: mentioned.filter((u) => u !== null).map((u) => u._id) };
}

const postQuotaExceeded = () =>
  new AppError('QUOTA_EXCEEDED', `You can share ${runtime().postsPerDay} posts a day`, {
    limit: runtime().postsPerDay,
    resetAt: nextUtcMidnight(new Date()).toISOString(),
  });

/** Refuses a new post before its upload is read when today's posts are used up (the take after it still decides). */
export async function assertPostQuotaLeft(authorId: string): Promise<void> {
  if (!(await dailyCounterHasRoom(`posts:${authorId}`, runtime().postsPerDay))) throw postQuotaExceeded();
}

/**
 * Creates a post in `processing`: the uploads go to storage as they are and a media job
 * makes what is served; the request never decodes or transcodes anything.
 */
export async function createPost(authorId: string, input: NewPost, files: UploadedFile[], deps: MediaDeps) {
  const { storage, queue } = deps;
  try {
    const media = await checkMedia(files);
    if (!(await takeFromDailyCounter(`posts:${authorId}`, authorId, runtime().postsPerDay))) throw postQuotaExceeded();
    const postId = new Types.ObjectId();
    const originals: { key: string; type: string; bytes: number }[] = [];
    const place = input.place;
    let post;
    try {
      for (const [i, file] of files.entries()) {
        const type = media.types[i]!;
        // As uploaded (with any EXIF and GPS): private, never linked, deleted once processed.
        const key = `${postMediaPrefix(String(postId))}/src/${i}.${type.ext}`;
        await storage.files.put(key, file.path, type.type);
        originals.push({ key, type: type.type, bytes: file.size });
      }
      post = await Post.create({
        _id: postId,
        authorId,
        ...(await captionFields(authorId, input.caption ?? '')),
        kind: media.kind,
        originals,
        objects: originals.map((o) => o.key),
        storage: storage.name,
        visibility: input.visibility ?? 'public',
        sensitive: input.sensitive ?? false,
        ...(place && {
          place: {
            name: place.name,
            ...(place.lat !== undefined && { lat: round2(place.lat), lng: round2(place.lng!) }),
          },
          // Cells of the rounded place, as shown: the exact point is kept nowhere.
          ...(place.lat !== undefined && { geoCells: geoCellsOf({ lat: round2(place.lat), lng: round2(place.lng!) }) }),
        }),
        status: 'processing',
        processingStartedAt: new Date(),
      });
    } catch (err) {
      // No post names what was stored: nothing (no job, no deletion) would ever remove it.
      await storage
        .deleteObjects(originals.map((o) => o.key))
        .catch((cleanup: unknown) =>
          logger.warn('stored post media left behind', { postId: String(postId), error: errorMessage(cleanup) }),
        );
      throw err;
    }
    try {
      await queue.enqueue({ postId: String(postId) });
    } catch {
      await Post.updateOne({ _id: postId }, { $set: { status: 'failed', failReason: 'queue_unavailable' } });
      throw new AppError('MEDIA_QUEUE_UNAVAILABLE', 'Media processing is unavailable; try again shortly');
    }
    countLater(() => recordEvent('post', { userId: authorId }));
    return postView(post.toObject() as PostDoc);
  } finally {
    await Promise.all(files.map((f) => rm(f.path, { force: true })));
  }
}

// Two decimals: about a kilometre, so a post shows a neighbourhood, never a doorstep.
const round2 = (n: number) => Math.round(n * 100) / 100;

/** A post anyone but its author may be shown: ready and not hidden (a filter, and its test below). */
export const SERVABLE = { status: 'ready', hiddenAt: null } as const;
export const isServable = (post: { status?: string | null; hiddenAt?: Date | null }) => post.status === 'ready' && !post.hiddenAt;

/** Whether another person's posts may be shown to a viewer at all: the author stands well, no block either way. */
async function authorShownTo(viewerId: string, authorId: string): Promise<boolean> {
  const [blocked, stands] = await Promise.all([isBlockedEitherWay(viewerId, authorId), standsWell(authorId)]);
  return !blocked && stands;
}

/**
 * Whether a viewer may see a post: the author always; others only a ready, unhidden post
 * whose author is in good standing (as their profile: a banned or suspended author's posts
 * are gone with it) and they have not blocked (nor been blocked by), and, for
 * connections-only posts, only when connected.
 */
export async function canSee(
  viewerId: string,
  post: { authorId: Types.ObjectId; status?: string | null; visibility?: string | null; hiddenAt?: Date | null },
) {
  const authorId = String(post.authorId);
  if (authorId === viewerId) return true;
  if (!isServable(post)) return false;
  if (!(await authorShownTo(viewerId, authorId))) return false;
  return post.visibility !== 'connections' || isConnected(viewerId, authorId);
}

/** A post as its viewer may see it; one they may not see does not exist for them. */
export async function getVisiblePost(viewerId: string, postId: string) {
  const post = (await Post.findById(postId, `${POST_FIELDS} hiddenAt`).lean()) as (PostDoc & { hiddenAt?: Date }) | null;
  if (!post || !(await canSee(viewerId, post))) throw notFound('Post');
  return post;
}

export async function getPost(viewerId: string, postId: string) {
  const post = await getVisiblePost(viewerId, postId);
  const view = postView(post);
  // Only the author sees how processing went.
  return String(post.authorId) === viewerId ? view : { ...view, failReason: null };
}

/** The caller's own post; one they may not see answers 404 as a missing one would, another's they see NOT_POST_AUTHOR. */
export async function ownPost(userId: string, postId: string) {
  const post = await Post.findById(postId, { authorId: 1, objects: 1, status: 1, visibility: 1, hiddenAt: 1 }).lean();
  if (!post || !(await canSee(userId, post))) throw notFound('Post');
  if (String(post.authorId) !== userId) throw new AppError('NOT_POST_AUTHOR', 'Only the author can change this post');
  return post;
}

export async function editCaption(userId: string, postId: string, caption: string) {
  await ownPost(userId, postId);
  await Post.updateOne({ _id: postId, authorId: userId }, { $set: await captionFields(userId, caption) });
  await notePostChanged(postId);
  return getPost(userId, postId);
}

/** Deletes a post, its stored media and originals. */
export async function deletePost(userId: string, postId: string, storage: StorageProvider) {
  const post = await ownPost(userId, postId);
  const deleted = await Post.findOneAndDelete({ _id: postId, authorId: userId }).lean();
  if (!deleted) throw notFound('Post');
  await notePostChanged(postId);
  // A job still running finds no post and throws its output away.
  await storage.deleteObjects(deleted.objects ?? post.objects ?? []);
}

const AUTHOR_PAGE = 'author-posts';

/** An author's posts, newest first, a page at a time, as this viewer may see them. */
export async function listAuthorPosts(viewerId: string, authorId: string, page: { limit: number; cursor?: string }) {
  if (!Types.ObjectId.isValid(authorId)) throw notFound('User');
  const own = viewerId === authorId;
  if (!own) {
    if (!(await authorShownTo(viewerId, authorId))) throw notFound('User');
  }
  const connected = own || (await isConnected(viewerId, authorId));
  const filter: Record<string, unknown> = { authorId: new Types.ObjectId(authorId) };
  // Sealed: the last post looked at may be one this viewer may not see.
  if (page.cursor) filter._id = { $lt: new Types.ObjectId(openCursor(AUTHOR_PAGE, page.cursor, isObjectIdString)) };
  // Read a little more than a page: posts the viewer may not see are skipped in code.
  const batch = (await Post.find(filter, `${POST_FIELDS} hiddenAt`)
    .sort({ _id: -1 })
    .limit(page.limit * 2 + 5)
    .lean()) as (PostDoc & { hiddenAt?: Date })[];
  const items = [];
  let last: string | undefined;
  for (const post of batch) {
    last = String(post._id);
    const visible = own || (post.status === 'ready' && !post.hiddenAt && (post.visibility !== 'connections' || connected));
    if (visible) items.push(own ? postView(post) : { ...postView(post), failReason: null });
    if (items.length === page.limit) break;
  }
  const more = items.length === page.limit || batch.length === page.limit * 2 + 5;
  return { items, nextCursor: more && last ? sealCursor(AUTHOR_PAGE, last) : null };
}
