import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import decodeHeic from 'heic-decode';
import sharp from 'sharp';
import { config } from '../../config/index.js';
import { Post } from '../../models/post.model.js';
import { AppError } from '../../utils/app-error.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { countPostTags, fanOutPost } from '../feeds/fanout.js';
import { notifyLater } from '../notifications/notification.service.js';

import { publishToUser } from '../realtime.service.js';
import { processImage } from '../storage/image-processing.js';
import { postMediaPrefix } from '../storage/media-links.js';
import { storePrivateImage, type StorageProvider } from '../storage/storage.provider.js';
import { POST_FIELDS, postView, type PostDoc } from './post.view.js';
import { extractPoster, ladderFor, MediaRejected, probeVideo, transcodeHls } from './video.js';
import { hourKey, utcDay } from '../../utils/clock.js';

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.jpg': 'image/jpeg',
};

async function filesUnder(dir: string, base = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? filesUnder(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))],
    ),
  );
  return nested.flat();
}

/**
 * HEIC (iPhone photos) is decoded with libheif (WebAssembly): sharp's prebuilt binaries
 * cannot. The container gives the size first: a picture past the pixel limit is refused
 * before any pixel is decoded (a small file can claim a huge image).
 */
export async function decodableImage(bytes: Buffer, type: string): Promise<Buffer> {
  if (type !== 'image/heic') return bytes;
  let images;
  try {
    images = await decodeHeic.all({ buffer: bytes });
  } catch {
    throw new MediaRejected('unreadable_image');
  }
  try {
    const primary = images[0];
    if (!primary) throw new MediaRejected('unreadable_image');
    if (primary.width * primary.height > config.uploads.maxPixels) throw new MediaRejected('image_too_large');
    const { width, height, data } = await primary.decode();
    return await sharp(Buffer.from(data.buffer), { raw: { width, height, channels: 4 } })
      .png()
      .toBuffer();
  } catch (err) {
    if (err instanceof MediaRejected) throw err;
    throw new MediaRejected('unreadable_image');
  } finally {
    images.dispose();
  }
}

type Original = { key?: string | null; type?: string | null };

async function processImages(postId: string, originals: Original[], storage: StorageProvider, work: string) {
  const images = [];
  const objects: string[] = [];
  for (const [i, original] of originals.entries()) {
    const local = path.join(work, `src-${i}`);
    if (!(await storage.files.get(original.key!, local))) throw new Error(`original ${original.key} is missing`);
    let processed;
    try {
      processed = await processImage(await decodableImage(await readFile(local), original.type!), config.uploads.maxPixels);
    } catch (err) {
      if (err instanceof AppError)
        throw new MediaRejected(err.code === 'IMAGE_TOO_LARGE' ? 'image_too_large' : 'unreadable_image');
      throw err;
    }
    const stored = await storePrivateImage(storage.files, `${postMediaPrefix(postId)}/img-${i}`, processed);
    objects.push(...stored.objects);
    images.push({ keys: stored.keys, width: stored.width, height: stored.height });
  }
  return { set: { images }, objects };
}

async function processVideo(postId: string, original: Original, storage: StorageProvider, work: string) {
  const source = path.join(work, 'source');
  if (!(await storage.files.get(original.key!, source))) throw new Error(`original ${original.key} is missing`);
  const container = original.type === 'video/webm' ? 'webm' : 'mp4';
  const probe = await probeVideo(source, container);
  if (probe.durationSec > config.posts.videoMaxSeconds + 0.5) throw new MediaRejected('too_long');
  if (Math.min(probe.width, probe.height) > config.posts.videoMaxHeight) throw new MediaRejected('resolution_too_high');
  const out = path.join(work, 'hls');
  const renditions = await transcodeHls(
    source,
    container,
    out,
    probe,
    ladderFor(Math.min(probe.width, probe.height), config.posts.videoLadder),
  );
  await extractPoster(source, container, path.join(out, 'poster.jpg'), probe);
  const prefix = `${postMediaPrefix(postId)}/video`;
  const files = await filesUnder(out);
  for (const file of files) {
    await storage.files.put(
      `${prefix}/${file}`,
      path.join(out, file),
      CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    );
  }
  return {
    set: {
      // Keys, not addresses: every view signs its own short-lived links.
      video: {
        prefix,
        renditions: renditions.map((r) => ({ height: r.height, width: r.width, bandwidth: r.bandwidth, dir: r.dir })),
        durationSec: Math.round(probe.durationSec * 10) / 10,
        width: probe.width,
        height: probe.height,
      },
    },
    objects: files.map((f) => `${prefix}/${f}`),
  };
}

/**
 * The media job: reads a processing post's uploads from storage, makes what is served
 * (image sizes, or an HLS ladder and a poster), stores it, and marks the post ready.
 * A post deleted or failed meanwhile keeps nothing this run stored.
 */
export async function processPostMedia(postId: string, storage: StorageProvider): Promise<void> {
  const post = await Post.findOne(
    { _id: postId, status: 'processing' },
    { authorId: 1, kind: 1, originals: 1, hashtags: 1 },
  ).lean();
  if (!post) return;
  const work = await mkdtemp(path.join(tmpdir(), 'devtinder-media-'));
  try {
    const result =
      post.kind === 'video'
        ? await processVideo(postId, post.originals[0]!, storage, work)
        : await processImages(postId, post.originals, storage, work);
    // Connections' Following first: once the post reads as ready it is in their feeds, and a
    // crash in between leaves the job to be retried, not a ready post nobody was given.
    await fanOutPost(post);
    const now = new Date();
    const readyDay = utcDay(now);
    const done = await Post.updateOne(
      { _id: postId, status: 'processing' },
      {
        $set: {
          ...result.set,
          status: 'ready',
          readyAt: now,
          readyDay,
          readyHour: hourKey(now),
          tagDays: post.hashtags.map((t) => `${t}|${readyDay}`),
        },
        $push: { objects: { $each: result.objects } },
      },
    );
    if (done.modifiedCount === 0) {
      await storage.deleteObjects(result.objects);
      return;
    }
    await discardOriginals(postId, post.originals, storage);
    const ready = await Post.findById(postId, POST_FIELDS).lean();
    await countPostTags(post);
    if (ready) publishToUser(String(post.authorId), 'post:ready', { postId, post: postView(ready as PostDoc) });
    notifyLater({ userId: String(post.authorId), type: 'post_ready', target: { kind: 'post', id: postId } });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function discardOriginals(postId: string, originals: Original[], storage: StorageProvider): Promise<void> {
  const keys = originals.map((o) => o.key!).filter(Boolean);
  await storage
    .deleteObjects(keys)
    .catch((err: unknown) => logger.warn('could not delete a post upload', { postId, error: errorMessage(err) }));
  await Post.updateOne({ _id: postId }, { $set: { originals: [] }, $pullAll: { objects: keys } });
}

/** Marks a post failed (once) and tells its author; the uploads are kept for a look, then go with the post. */
export async function failPost(postId: string, reason: string): Promise<boolean> {
  const failed = await Post.findOneAndUpdate(
    { _id: postId, status: 'processing' },
    { $set: { status: 'failed', failReason: reason } },
  ).lean();
  if (!failed) return false;
  publishToUser(String(failed.authorId), 'post:failed', { postId, reason });
  notifyLater({ userId: String(failed.authorId), type: 'post_failed', target: { kind: 'post', id: postId }, data: { reason } });
  return true;
}

/** Posts whose job has not finished in time: a worker died, or the queue lost the job. */
export async function failStuckPosts(startedBefore: Date): Promise<number> {
  const stuck = await Post.find({ status: 'processing', processingStartedAt: { $lt: startedBefore } }, { _id: 1 })
    .limit(500)
    .lean();
  let failed = 0;
  for (const { _id } of stuck) if (await failPost(String(_id), 'timed_out')) failed++;
  return failed;
}
