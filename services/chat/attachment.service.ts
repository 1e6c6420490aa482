import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { ChatAttachment, type AttachmentKind } from '../../models/chat-attachment.model.js';
import { Conversation, ConversationMember } from '../../models/conversation.model.js';
import { Message } from '../../models/message.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { MB } from '../../utils/units.js';
import { dailyCounterRoom, quotaExceeded, takeFromDailyCounter } from '../limits/daily-counter.js';
import { isObjectIdString } from '../page-cursor.js';
import type { UploadedFile } from '../posts/post.service.js';
import type { MediaQueue } from '../posts/media-queue.js';
import { fileTooLarge } from '../storage/image-processing.js';
import { chatMediaPrefix, mediaLinks } from '../storage/media-links.js';
import type { DirectUploadTicket, StorageProvider } from '../storage/storage.provider.js';
import { displayName, sniffAttachment, SNIFFED_HEAD_BYTES } from './attachment-type.js';
import { sniffPostMedia } from '../posts/media-type.js';
import type { FileCap } from '../../utils/file-cap.js';
import { memberConversation, sendableConversation } from './conversation.service.js';

export interface AttachmentDeps {
  storage: StorageProvider;
  queue: MediaQueue;
}

/** What a message keeps of its attachment: enough to show it without another read. */
export interface MessageMedia {
  id: Types.ObjectId;
  kind: AttachmentKind;
  keys: Record<string, string>;
  width?: number | null;
  height?: number | null;
  durationSec?: number | null;
  name?: string | null;
  contentType?: string | null;
  bytes?: number | null;
}

export interface AttachmentView {
  id: string;
  kind: AttachmentKind;
  width?: number;
  height?: number;
  durationSec?: number;
  name?: string;
  type?: string;
  bytes?: number;
  /** Links signed for the one viewer they were given to, short-lived. */
  urls: Record<string, string>;
}

type AttachmentDoc = Omit<MessageMedia, 'id'> & {
  _id: Types.ObjectId;
  conversationId: Types.ObjectId;
  uploaderId: Types.ObjectId;
  status: string;
  failReason?: string | null;
  messageId?: Types.ObjectId | null;
  storage: string;
  sourceKey: string;
  objects: string[];
};

const KIND_REFUSED: Record<AttachmentKind, string> = {
  image: 'Send a JPEG, PNG, WebP or HEIC picture',
  video: 'Send an MP4, MOV or WebM video',
  voice: 'Send a voice note as Ogg/Opus, WebM, M4A, MP3, WAV, AAC, AMR or FLAC',
  file: 'This type of file cannot be sent',
};
const kindRefused = (kind: AttachmentKind) => new AppError('UNSUPPORTED_MEDIA_TYPE', KIND_REFUSED[kind], { kind });

/** A sent attachment as one member sees it: links only that member can open. */
export function mediaView(media: MessageMedia, viewerId: string): AttachmentView {
  const keys = media.keys;
  return {
    id: String(media.id),
    kind: media.kind,
    ...(media.width ? { width: media.width } : {}),
    ...(media.height ? { height: media.height } : {}),
    ...(media.durationSec ? { durationSec: media.durationSec } : {}),
    ...(media.name ? { name: media.name } : {}),
    ...(media.contentType ? { type: media.contentType } : {}),
    ...(media.bytes ? { bytes: media.bytes } : {}),
    urls: Object.fromEntries(Object.entries(keys ?? {}).map(([role, key]) => [role, mediaLinks.linkFor(key, viewerId)])),
  };
}

export interface UploadView {
  id: string;
  conversationId: string;
  kind: AttachmentKind;
  status: string;
  failReason?: string;
  sent: boolean;
  attachment?: AttachmentView;
}

/** An upload as its sender follows it: its state, and once ready what the message will show. */
export function uploadView(doc: AttachmentDoc, viewerId: string): UploadView {
  return {
    id: String(doc._id),
    conversationId: String(doc.conversationId),
    kind: doc.kind,
    status: doc.status,
    ...(doc.failReason ? { failReason: doc.failReason } : {}),
    sent: Boolean(doc.messageId),
    ...(doc.status === 'ready' ? { attachment: mediaView({ ...doc, id: doc._id }, viewerId) } : {}),
  };
}

/** The media part a message stores, from a ready attachment. */
export function messageMediaOf(doc: AttachmentDoc): MessageMedia {
  return {
    id: doc._id,
    kind: doc.kind,
    keys: doc.keys,
    width: doc.width,
    height: doc.height,
    durationSec: doc.durationSec,
    name: doc.name,
    contentType: doc.contentType,
    bytes: doc.bytes,
  };
}

/** Only a member who may send in the conversation may upload into it (plan, blocks, connection). */
export const conversationToUploadInto = (me: string, conversationId: string) => sendableConversation(me, conversationId);

const maxBytesOf = (kind: AttachmentKind) => config.chat.media.maxBytes[kind];
/** The largest kind's size: how far an upload through the API may be read at all. */
export const largestAttachmentBytes = () => Math.max(...Object.values(config.chat.media.maxBytes));

/**
 * How far an upload through the API may be read: its kind's size (the kind is a field sent
 * before the file, else it is refused at its first byte: it would be read up to the largest
 * kind's), or the day's room left when that is less (429 past it, as any day; 413 past the kind's).
 */
export function attachmentCap(kind: unknown, bytesLeft: number): FileCap {
  if (typeof kind !== 'string' || !Object.hasOwn(config.chat.media.maxBytes, kind)) {
    throw new AppError('VALIDATION_FAILED', 'Send the kind before the file', [
      { field: 'kind', message: `must be one of ${Object.keys(config.chat.media.maxBytes).join(', ')}, sent before the file` },
    ]);
  }
  const largest = maxBytesOf(kind as AttachmentKind);
  const cap =
    largest <= bytesLeft
      ? { maxBytes: largest, pastIt: fileTooLarge(largest) }
      : { maxBytes: Math.max(bytesLeft, 0), pastIt: dayOfBytesUsed(bytesLeft) };
  // Pictures and videos are known by their first bytes (as sniffAttachment reads them): one
  // that is not what it says stops there, not at its kind's size (a video's is 100 MB).
  if (kind !== 'image' && kind !== 'video') return cap;
  return {
    ...cap,
    head: { bytes: SNIFFED_HEAD_BYTES, fits: (head) => sniffPostMedia(head)?.kind === kind, notIt: kindRefused(kind) },
  };
}

// Uploads one person may have waiting (being uploaded or processed), and unsent in all: one
// account cannot fill the media queue or the storage.
const PENDING_PER_SENDER = 10;
const UNSENT_PER_SENDER = 100;

async function assertRoomForUpload(me: string): Promise<void> {
  const [pending, unsent] = await Promise.all([
    ChatAttachment.countDocuments({ uploaderId: me, status: { $in: ['uploading', 'processing'] } }),
    ChatAttachment.countDocuments({ uploaderId: me, messageId: null }),
  ]);
  if (pending >= PENDING_PER_SENDER || unsent >= UNSENT_PER_SENDER) {
    throw new AppError('TOO_MANY_UPLOADS', 'Send or wait for your uploads before adding more', {
      pending,
      unsent,
      maxPending: PENDING_PER_SENDER,
      maxUnsent: UNSENT_PER_SENDER,
    });
  }
}

/**
 * Takes an upload's bytes from the uploader's day (config.chat.media.bytesPerDay), before
 * anything is stored: uploads sent in messages are kept, so two connected accounts could
 * otherwise fill the storage at 30 files a minute.
 */
async function takeUploadBytes(me: string, bytes: number): Promise<void> {
  if (!(await takeFromDailyCounter(`chatBytes:${me}`, me, config.chat.media.bytesPerDay, new Date(), bytes)))
    throw dayOfBytesUsed();
}

/** The day's bytes are used up, or (remaining given) too few are left for the file sent. */
export const dayOfBytesUsed = (remaining?: number) => {
  const limit = config.chat.media.bytesPerDay;
  return quotaExceeded(`You can upload ${Math.floor(limit / MB)} MB of attachments a day`, {
    limit,
    ...(remaining !== undefined && { remaining }),
  });
};

/**
 * Before an upload's body is read: room for one more waiting upload, and bytes left in the
 * day, which it answers (the body is read no further). Else an account out of either still
 * had each upload (up to the largest kind's size) written to disk, only to be refused after.
 */
export async function roomBeforeUpload(me: string): Promise<number> {
  await assertRoomForUpload(me);
  const left = await dailyCounterRoom(`chatBytes:${me}`, config.chat.media.bytesPerDay);
  if (left <= 0) throw dayOfBytesUsed();
  return left;
}

async function enqueueOrFail(id: Types.ObjectId, queue: MediaQueue): Promise<void> {
  try {
    await queue.enqueue({ attachmentId: String(id) });
  } catch {
    await ChatAttachment.updateOne({ _id: id }, { $set: { status: 'failed', failReason: 'queue_unavailable' } });
    throw new AppError('MEDIA_QUEUE_UNAVAILABLE', 'Media processing is unavailable; try again shortly');
  }
}

/**
 * An attachment uploaded through the API (any storage): checked by content against the
 * kind the sender declared, stored as sent under a private key, and handed to the media
 * job; it can be sent once ready (chat:attachment tells the sender).
 */
export async function uploadAttachment(
  me: string,
  conversationId: string,
  input: { kind: AttachmentKind; name?: string },
  file: UploadedFile,
  deps: AttachmentDeps,
) {
  const conversation = await conversationToUploadInto(me, conversationId);
  await assertRoomForUpload(me);
  if (file.size > maxBytesOf(input.kind)) throw fileTooLarge(maxBytesOf(input.kind));
  const sniffed = await sniffAttachment(file.path, input.kind, config.chat.media.fileTypes);
  if (!sniffed) throw kindRefused(input.kind);
  await takeUploadBytes(me, file.size);
  const _id = new Types.ObjectId();
  const sourceKey = `${chatMediaPrefix(String(_id))}/src/original.${sniffed.ext}`;
  // The record first: an object is never stored without one that will delete it.
  const doc = await ChatAttachment.create({
    _id,
    conversationId: conversation._id,
    uploaderId: me,
    kind: input.kind,
    status: 'processing',
    storage: deps.storage.name,
    sourceKey,
    sourceBytes: file.size,
    objects: [sourceKey],
    ...(input.kind === 'file' ? { name: displayName(input.name, sniffed.ext) } : {}),
    processingStartedAt: new Date(),
  });
  try {
    await deps.storage.files.put(sourceKey, file.path, sniffed.type);
  } catch (err) {
    await ChatAttachment.deleteOne({ _id });
    throw err;
  }
  await enqueueOrFail(_id, deps.queue);
  return uploadView(doc.toObject() as AttachmentDoc, me);
}

/**
 * A direct upload (S3 presigned POST, Cloudinary authenticated upload): a ticket for one
 * private key, no larger than the kind allows; complete it once the file is there.
 */
export async function createAttachmentUpload(
  me: string,
  conversationId: string,
  input: { kind: AttachmentKind; bytes: number; name?: string },
  deps: AttachmentDeps,
): Promise<{ attachment: ReturnType<typeof uploadView>; upload: DirectUploadTicket }> {
  const { storage } = deps;
  if (!storage.files.createUpload) {
    throw new AppError('DIRECT_UPLOAD_UNAVAILABLE', `The ${storage.name} storage takes attachments through the API only`);
  }
  const conversation = await conversationToUploadInto(me, conversationId);
  await assertRoomForUpload(me);
  const maxBytes = maxBytesOf(input.kind);
  if (input.bytes > maxBytes) throw fileTooLarge(maxBytes);
  await takeUploadBytes(me, input.bytes);
  const _id = new Types.ObjectId();
  // With an extension: Cloudinary keeps (and destroys) files with one as raw resources.
  const sourceKey = `${chatMediaPrefix(String(_id))}/src/upload.bin`;
  const upload = await storage.files.createUpload({
    key: sourceKey,
    // The content decides what the file is; the declared type is never trusted.
    contentType: 'application/octet-stream',
    // The size it declared, which its day paid for: the storage refuses a larger file.
    maxBytes: input.bytes,
    expiresInSeconds: config.uploads.directUploadTtlSeconds,
  });
  const doc = await ChatAttachment.create({
    _id,
    conversationId: conversation._id,
    uploaderId: me,
    kind: input.kind,
    status: 'uploading',
    storage: storage.name,
    sourceKey,
    objects: [sourceKey],
    ...(input.kind === 'file' && input.name ? { name: displayName(input.name, 'bin') } : {}),
  });
  return { attachment: uploadView(doc.toObject() as AttachmentDoc, me), upload };
}

async function ownUpload(me: string, conversationId: string, attachmentId: string): Promise<AttachmentDoc> {
  const doc = isObjectIdString(attachmentId)
    ? await ChatAttachment.findOne({ _id: attachmentId, uploaderId: me, conversationId }).lean<AttachmentDoc>()
    : null;
  if (!doc) throw notFound('Attachment');
  return doc;
}

/** The sender says the direct upload is done: it must be there; then the media job takes it. */
export async function completeAttachmentUpload(me: string, conversationId: string, attachmentId: string, deps: AttachmentDeps) {
  await memberConversation(me, conversationId);
  const doc = await ownUpload(me, conversationId, attachmentId);
  if (doc.status !== 'uploading') return uploadView(doc, me);
  const size = await deps.storage.files.size(doc.sourceKey);
  if (size === null) throw new AppError('UPLOAD_NOT_FOUND', 'Nothing was uploaded with this ticket yet');
  const taken = await ChatAttachment.updateOne(
    { _id: doc._id, status: 'uploading' },
    { $set: { status: 'processing', sourceBytes: size, processingStartedAt: new Date() } },
  );
  if (taken.modifiedCount === 1) await enqueueOrFail(doc._id, deps.queue);
  return uploadView((await ChatAttachment.findById(doc._id).lean<AttachmentDoc>())!, me);
}

export async function getUpload(me: string, conversationId: string, attachmentId: string) {
  await memberConversation(me, conversationId);
  return uploadView(await ownUpload(me, conversationId, attachmentId), me);
}

/**
 * Takes a ready attachment of one's own, uploaded into this conversation and not sent yet,
 * for the message `messageId`: one atomic write, so two sends cannot both take it.
 */
export async function takeAttachmentFor(
  me: string,
  conversationId: Types.ObjectId,
  attachmentId: string,
  messageId: Types.ObjectId,
): Promise<MessageMedia | null> {
  const doc = await ChatAttachment.findOneAndUpdate(
    { _id: attachmentId, uploaderId: me, conversationId, status: 'ready', messageId: null },
    { $set: { messageId } },
    { returnDocument: 'after' },
  ).lean<AttachmentDoc>();
  return doc ? messageMediaOf(doc) : null;
}

/**
 * Whether an upload of one's own can be sent here: 'sendable', or why not; null when the id
 * is not an upload of one's own at all.
 */
export async function whyNotSendable(
  me: string,
  conversationId: Types.ObjectId,
  attachmentId: string,
): Promise<AppError | 'sendable' | null> {
  const doc = await ChatAttachment.findOne(
    { _id: attachmentId, uploaderId: me },
    { conversationId: 1, status: 1, messageId: 1 },
  ).lean();
  if (!doc) return null;
  if (String(doc.conversationId) !== String(conversationId)) {
    return new AppError('INVALID_ATTACHMENT', 'This attachment was uploaded into another conversation');
  }
  if (doc.messageId) return new AppError('INVALID_ATTACHMENT', 'This attachment was already sent');
  if (doc.status === 'ready') return 'sendable';
  if (doc.status === 'uploading' || doc.status === 'processing') {
    return new AppError('ATTACHMENT_NOT_READY', 'This attachment is still being processed', { status: doc.status });
  }
  return new AppError('INVALID_ATTACHMENT', 'This attachment could not be processed', { status: doc.status });
}

/** Gives an attachment back when the send that took it did not happen. */
export async function releaseAttachment(attachmentId: Types.ObjectId, messageId: Types.ObjectId): Promise<void> {
  await ChatAttachment.updateOne({ _id: attachmentId, messageId }, { $set: { messageId: null } });
}

/**
 * Whether `viewer` may open an attachment's object now (a link is a bearer URL: whoever holds
 * it opens it while its viewer may): a current member of its
 * conversation, while its message stands (the sender sees it before sending). Returns the
 * download name for files.
 */
export async function openableAttachment(attachmentId: string, viewer: string): Promise<{ downloadAs?: string } | null> {
  const doc = await ChatAttachment.findOne(
    { _id: attachmentId, status: 'ready' },
    { conversationId: 1, uploaderId: 1, messageId: 1, kind: 1, name: 1 },
  ).lean();
  if (!doc) return null;
  // A member both ways: the row (gone with a deleted account) and the conversation's list
  // (the word on membership; a row left behind by a failed removal opens nothing).
  // A message from before the viewer was added to the group is not theirs to open either.
  const [row, listed, message] = await Promise.all([
    ConversationMember.findOne({ conversationId: doc.conversationId, userId: viewer }, { historyFromSeq: 1 }).lean(),
    Conversation.exists({ _id: doc.conversationId, memberIds: new Types.ObjectId(viewer) }),
    doc.messageId ? Message.findOne({ _id: doc.messageId, deletedAt: null }, { seq: 1 }).lean() : null,
  ]);
  if (!row || !listed) return null;
  if (doc.messageId ? !message || message.seq < (row.historyFromSeq ?? 1) : String(doc.uploaderId) !== viewer) return null;
  return doc.kind === 'file' ? { downloadAs: doc.name ?? 'file' } : {};
}

/**
 * Attachments whose message was deleted, or never sent in time, go with every object
 * they stored; on this storage only (another process may hold another).
 */
export async function reapAttachments(storage: StorageProvider, filter: Record<string, unknown>): Promise<number> {
  const docs = await ChatAttachment.find({ ...filter, storage: storage.name }, { objects: 1 })
    .limit(500)
    .lean();
  let reaped = 0;
  for (const doc of docs) {
    try {
      await storage.deleteObjects(doc.objects ?? []);
      await ChatAttachment.deleteOne({ _id: doc._id });
      reaped++;
    } catch (err) {
      logger.warn('chat attachment not deleted', { attachmentId: String(doc._id), error: errorMessage(err) });
    }
  }
  return reaped;
}

/**
 * The attachments of deleted messages and the uploads never sent within the configured time.
 * Unsent ones are dropped first by a conditional write: one a send takes meanwhile is not.
 */
export async function reapDroppedAttachments(storage: StorageProvider, now = Date.now()): Promise<number> {
  await ChatAttachment.updateMany(
    { messageId: null, createdAt: { $lt: new Date(now - config.chat.media.unsentAfterMs) }, status: { $ne: 'dropped' } },
    { $set: { status: 'dropped' } },
  );
  return reapAttachments(storage, { status: 'dropped' });
}

/** Marks the attachment of a deleted message to go: no link opens it from now on. */
export async function dropAttachment(attachmentId: Types.ObjectId): Promise<void> {
  await ChatAttachment.updateOne({ _id: attachmentId }, { $set: { status: 'dropped' } });
}
