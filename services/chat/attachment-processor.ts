import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { config } from '../../config/index.js';
import { ChatAttachment } from '../../models/chat-attachment.model.js';
import { AppError } from '../../utils/app-error.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { decodableImage } from '../posts/media-processor.js';
import { extractPoster, MediaRejected, probeVideo, servedSize, transcodeMp4, transcodeVoice } from '../posts/video.js';
import { publishToUser } from '../realtime.service.js';
import { processImage } from '../storage/image-processing.js';
import { chatMediaPrefix } from '../storage/media-links.js';
import { storePrivateImage, type StorageProvider } from '../storage/storage.provider.js';
import { displayName, sniffAttachment, type SniffedAttachment } from './attachment-type.js';
import { uploadView } from './attachment.service.js';

interface Processed {
  set: Record<string, unknown>;
  objects: string[];
}

async function processImageAttachment(prefix: string, file: string, sniffed: SniffedAttachment, storage: StorageProvider) {
  let processed;
  try {
    processed = await processImage(await decodableImage(await readFile(file), sniffed.type), config.uploads.maxPixels);
  } catch (err) {
    if (err instanceof AppError) throw new MediaRejected(err.code === 'IMAGE_TOO_LARGE' ? 'image_too_large' : 'unreadable_image');
    throw err;
  }
  // Re-encoded at every size: no EXIF, no GPS, nothing of the upload but its pixels.
  const stored = await storePrivateImage(storage.files, `${prefix}/img`, processed);
  return { set: { keys: stored.keys, width: stored.width, height: stored.height }, objects: stored.objects };
}

async function processVideoAttachment(
  prefix: string,
  file: string,
  container: 'mp4' | 'webm',
  storage: StorageProvider,
  work: string,
) {
  const probe = await probeVideo(file, container);
  if (probe.durationSec > config.chat.media.videoMaxSeconds + 0.5) throw new MediaRejected('too_long');
  const size = servedSize(probe, config.chat.media.videoShortSide);
  const video = path.join(work, 'video.mp4');
  const poster = path.join(work, 'poster.jpg');
  await transcodeMp4(file, container, video, probe, size, config.chat.media.videoMaxSeconds + 1);
  // What came out counts: a header can claim a short clip and hold an hour.
  const made = await probeVideo(video, 'mp4');
  if (made.durationSec > config.chat.media.videoMaxSeconds + 0.5) throw new MediaRejected('too_long');
  await extractPoster(file, container, poster, probe);
  const keys = { video: `${prefix}/video.mp4`, poster: `${prefix}/poster.jpg` };
  await storage.files.put(keys.video, video, 'video/mp4');
  await storage.files.put(keys.poster, poster, 'image/jpeg');
  return {
    set: { keys, ...size, durationSec: Math.round(probe.durationSec * 10) / 10 },
    objects: Object.values(keys),
  };
}

async function processVoiceAttachment(prefix: string, file: string, demuxer: string, storage: StorageProvider, work: string) {
  const out = path.join(work, 'voice.m4a');
  const durationSec = await transcodeVoice(file, demuxer, out, config.chat.media.voiceMaxSeconds);
  const keys = { audio: `${prefix}/voice.m4a` };
  await storage.files.put(keys.audio, out, 'audio/mp4');
  return { set: { keys, durationSec, contentType: 'audio/mp4' }, objects: [keys.audio] };
}

/** A file is kept as sent, under the type its content showed (never the declared one). */
async function processFileAttachment(
  prefix: string,
  file: string,
  sniffed: SniffedAttachment,
  storage: StorageProvider,
  name?: string | null,
) {
  const keys = { file: `${prefix}/file.${sniffed.ext}` };
  await storage.files.put(keys.file, file, sniffed.type);
  return {
    set: { keys, contentType: sniffed.type, bytes: (await stat(file)).size, name: displayName(name ?? undefined, sniffed.ext) },
    objects: [keys.file],
  };
}

/**
 * The media job for a chat attachment: reads the upload from storage, checks it again by
 * content, makes what is served (image sizes; an MP4 and a poster; an AAC voice note; the
 * file as it is), stores it privately, drops the upload and tells the sender it is ready.
 */
export async function processChatAttachment(attachmentId: string, storage: StorageProvider): Promise<void> {
  const doc = await ChatAttachment.findOneAndUpdate(
    { _id: attachmentId, status: 'processing' },
    { $set: { processingStartedAt: new Date() } },
    { returnDocument: 'after' },
  ).lean();
  if (!doc) return;
  const work = await mkdtemp(path.join(tmpdir(), 'devtinder-chat-'));
  try {
    const source = path.join(work, 'source');
    if (!(await storage.files.get(doc.sourceKey, source))) throw new MediaRejected('upload_missing');
    const maxBytes = config.chat.media.maxBytes[doc.kind];
    if ((await stat(source)).size > maxBytes) throw new MediaRejected('too_large');
    const sniffed = await sniffAttachment(source, doc.kind, config.chat.media.fileTypes);
    if (!sniffed) throw new MediaRejected('unsupported_type');
    const prefix = chatMediaPrefix(attachmentId);
    let result: Processed;
    if (sniffed.kind === 'image') result = await processImageAttachment(prefix, source, sniffed, storage);
    else if (sniffed.kind === 'video') result = await processVideoAttachment(prefix, source, sniffed.container, storage, work);
    else if (sniffed.kind === 'voice') result = await processVoiceAttachment(prefix, source, sniffed.demuxer, storage, work);
    else result = await processFileAttachment(prefix, source, sniffed, storage, doc.name);
    const done = await ChatAttachment.updateOne(
      { _id: attachmentId, status: 'processing' },
      { $set: { ...result.set, status: 'ready' }, $push: { objects: { $each: result.objects } } },
    );
    if (done.modifiedCount === 0) {
      // Dropped or swept meanwhile: nothing this run stored stays.
      await storage.deleteObjects(result.objects);
      return;
    }
    // The upload goes now, but stays among the objects: a direct upload ticket still in its
    // lifetime could put it back, and the attachment's deletion deletes it again.
    await storage
      .deleteObjects([doc.sourceKey])
      .catch((err: unknown) => logger.warn('chat upload not deleted', { attachmentId, error: errorMessage(err) }));
    const ready = await ChatAttachment.findById(attachmentId).lean();
    if (ready) publishToUser(String(doc.uploaderId), 'chat:attachment', uploadView(ready as never, String(doc.uploaderId)));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Marks an attachment failed (once) and tells its sender why; its objects go with the unsent sweep. */
export async function failChatAttachment(attachmentId: string, reason: string): Promise<boolean> {
  const failed = await ChatAttachment.findOneAndUpdate(
    { _id: attachmentId, status: 'processing' },
    { $set: { status: 'failed', failReason: reason } },
    { returnDocument: 'after' },
  ).lean();
  if (!failed) return false;
  publishToUser(String(failed.uploaderId), 'chat:attachment', uploadView(failed as never, String(failed.uploaderId)));
  return true;
}

/** Attachments whose job has not finished in time. */
export async function failStuckChatAttachments(startedBefore: Date): Promise<number> {
  const stuck = await ChatAttachment.find({ status: 'processing', processingStartedAt: { $lt: startedBefore } }, { _id: 1 })
    .limit(500)
    .lean();
  let failed = 0;
  for (const { _id } of stuck) if (await failChatAttachment(String(_id), 'timed_out')) failed++;
  return failed;
}
