import { countLive } from '../analytics/live.js';
import { countLater, recordEvent, recordMatchingOutcome, recordMilestone } from '../analytics/record.js';
import { noteTaste } from '../match/taste/signals.js';
import { variantOf } from '../match/taste/taste.service.js';
import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { Conversation, ConversationMember } from '../../models/conversation.model.js';
import { Message, MESSAGE_BUCKET, Reaction } from '../../models/message.model.js';
import { User } from '../../models/user.model.js';
import { AppError, forbidden, notFound } from '../../utils/app-error.js';
import { cleanText } from '../../utils/text.js';
import { TextCipher, type EncryptedText } from '../../utils/text-cipher.js';
import { publishToUser, publishToUsers } from '../realtime.service.js';
import type { StorageProvider } from '../storage/storage.provider.js';
import {
  dropAttachment,
  mediaView,
  reapAttachments,
  releaseAttachment,
  takeAttachmentFor,
  whyNotSendable,
  type AttachmentView,
  type MessageMedia,
} from './attachment.service.js';
import {
  everyMemberSees,
  historyFloorOf,
  membersCameAfter,
  membersWhoSee,
  membershipsOf,
  directConversation,
  memberConversation,
  memberIdsOf,
  receiptAudience,
  memberMessage,
  requireSenderAudience,
  sendableConversation,
  type ConversationDoc,
} from './conversation.service.js';
import { recordTail, TAIL_LAG_MS } from './conversation-tail.js';
import { sequences } from './message-sequence.js';
import { filterProfanity } from './profanity.js';
import { insertedOnce, isDuplicateKey } from '../../utils/duplicate-key.js';
import { tellOfflineMembersLater } from '../notifications/message-notice.js';
import { markTargetRead } from '../notifications/notification.service.js';

const cipher = new TextCipher(config.chat.keys, config.chat.keyId);
const bucketOf = (seq: number) => Math.floor(seq / MESSAGE_BUCKET);

interface MessageDoc {
  _id: Types.ObjectId;
  conversationId: Types.ObjectId;
  seq: number;
  bucket?: number;
  senderId: Types.ObjectId;
  clientMessageId: string;
  text?: EncryptedText | null;
  attachment?: { url?: string | null; width?: number | null; height?: number | null } | null;
  media?: MessageMedia | null;
  replyToId?: Types.ObjectId | null;
  replyToSeq?: number | null;
  reactions?: Record<string, number> | Map<string, number> | null;
  editedAt?: Date | null;
  deletedAt?: Date | null;
  createdAt: Date;
  updatedAt?: Date;
}

export interface MessageView {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  clientMessageId: string;
  text?: string;
  /** One of the sender's profile photos (kind "photo"), or an uploaded image, video, voice note or file. */
  attachment?: { kind: 'photo'; url: string; width?: number; height?: number } | AttachmentView;
  replyToId?: string;
  reactions: Record<string, number>;
  editedAt?: Date;
  deletedAt?: Date;
  createdAt: Date;
}

/**
 * A message as one member receives it: text decrypted (or `plainText`, when the caller
 * has it), attachment links signed for that member.
 */
export function messageView(m: MessageDoc, viewerId: string, plainText?: string): MessageView {
  const reactions = m.reactions instanceof Map ? Object.fromEntries(m.reactions) : (m.reactions ?? {});
  return {
    id: String(m._id),
    conversationId: String(m.conversationId),
    seq: m.seq,
    senderId: String(m.senderId),
    clientMessageId: m.clientMessageId,
    ...(m.text ? { text: plainText ?? cipher.decrypt(m.text) } : {}),
    ...(m.media ? { attachment: mediaView(m.media, viewerId) } : {}),
    ...(m.attachment?.url
      ? {
          attachment: {
            kind: 'photo' as const,
            url: m.attachment.url,
            width: m.attachment.width ?? undefined,
            height: m.attachment.height ?? undefined,
          },
        }
      : {}),
    ...(m.replyToId ? { replyToId: String(m.replyToId) } : {}),
    reactions: Object.fromEntries(Object.entries(reactions).filter(([, n]) => n > 0)),
    ...(m.editedAt ? { editedAt: m.editedAt } : {}),
    ...(m.deletedAt ? { deletedAt: m.deletedAt } : {}),
    createdAt: m.createdAt,
  };
}

/** A view without the id of the message it replies to, for someone who may not know of that one. */
function withoutReplyTarget(view: MessageView): MessageView {
  const { replyToId: _hidden, ...rest } = view;
  return rest;
}

/** A member's view of a message: a reply names its target only when that is theirs too (at or above their floor). */
const viewWithin = (m: MessageDoc, viewerId: string, floor: number): MessageView => {
  const target = replyTargetSeqOf(m);
  return target !== null && target < floor ? withoutReplyTarget(messageView(m, viewerId)) : messageView(m, viewerId);
};

/**
 * The number of the message a reply answers; one stored without it (by an older release) counts
 * as the first message: named only to members from the start. Null for a message that is no reply.
 */
const replyTargetSeqOf = (m: MessageDoc): number | null => (m.replyToId ? (m.replyToSeq ?? 1) : null);

export interface SendInput {
  conversationId?: string;
  toUserId?: string;
  clientMessageId: string;
  text?: string;
  attachmentId?: string;
  replyToId?: string;
}

function checkedText(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const clean = cleanText(text);
  if (clean.length > config.chat.maxText) {
    throw new AppError('MESSAGE_TOO_LONG', `Messages may be at most ${config.chat.maxText} characters`);
  }
  return clean ? filterProfanity(clean) : undefined;
}

/**
 * What an attachment id names: an upload of one's own into this conversation, ready and
 * not sent (taken at the send), or one of one's own profile photos (avatar or gallery).
 */
async function chosenAttachment(me: string, conversationId: Types.ObjectId, attachmentId: string) {
  const [problem, user] = await Promise.all([
    whyNotSendable(me, conversationId, attachmentId),
    User.findById(me, { avatar: 1, gallery: 1 }).lean(),
  ]);
  if (problem === 'sendable') return { upload: true } as const;
  if (problem) throw problem;
  const photo = [user?.avatar, ...(user?.gallery ?? [])].find((p) => p?.id === attachmentId);
  if (!photo) throw new AppError('INVALID_ATTACHMENT', 'Attach an upload of yours or one of your own pictures');
  return { photo: { url: photo.urls.full, width: photo.width, height: photo.height } };
}

/**
 * Delivers a message to every socket of every member: one publish for all, unless it has
 * an upload, whose links are each member's own.
 */
async function publishMessage(
  conversation: ConversationDoc,
  memberIds: string[],
  event: 'chat:message' | 'chat:edited',
  doc: MessageDoc,
  view?: MessageView,
  lateForReply?: ReadonlySet<string>,
): Promise<void> {
  // A reply to a message from before some member came into the group: its target is not named
  // to them (a send found them before its insert; an edit asks now).
  const target = replyTargetSeqOf(doc);
  const late = lateForReply ?? (target === null ? new Set<string>() : await membersCameAfter(conversation, target));
  const forMember = (v: MessageView, id: string) => (late.has(id) ? withoutReplyTarget(v) : v);
  if (!doc.media) {
    const shared = view ?? messageView(doc, '');
    publishToUsers(late.size ? memberIds.filter((id) => !late.has(id)) : memberIds, event, shared);
    if (late.size) publishToUsers([...late], event, withoutReplyTarget(shared));
    return;
  }
  for (const id of memberIds) publishToUser(id, event, forMember(messageView(doc, id), id));
}

// The opening of a two-person conversation is what the matcher learns from, and what its A/B split counts.
const EARLY_MESSAGES = 10;
function noteEarlyMessage(me: string, conversation: ConversationDoc, seq: number): void {
  const other = memberIdsOf(conversation).find((id) => id !== me);
  if (!other) return;
  noteTaste(me, other, 'message');
  if (seq === 1) countLater(() => recordMatchingOutcome(variantOf(me), 'conversation'));
  // The first message from the one who did not start it is the reply.
  const starter = String(conversation.createdBy);
  if (me !== starter)
    countLater(() => recordMatchingOutcome(variantOf(starter), 'reply', 1, `reply:${String(conversation._id)}`));
}

/**
 * Stores a message once and delivers it to every socket of every member. The same
 * clientMessageId from the same sender returns the original (unique index), whether
 * the first attempt's ack was lost or two attempts race.
 *
 * The ack waits for one database write, the insert: who may send is remembered
 * (send-access.ts), the number comes from a counter (message-sequence.ts), and the
 * conversation's last message and the sender's read pointer are written behind it
 * (conversation-tail.ts).
 */
export async function sendMessage(me: string, input: SendInput): Promise<{ message: MessageView; created: boolean }> {
  const text = checkedText(input.text);
  const conversation = input.conversationId
    ? await sendableConversation(me, input.conversationId)
    : input.toUserId
      ? await directConversation(me, input.toUserId)
      : null;
  if (!conversation) throw new AppError('VALIDATION_FAILED', 'Give conversationId or toUserId');

  // Reads only for what the send carries. A resend of a plain message is found by its
  // insert failing, unless this process stored it lately; one with an upload is looked up
  // first (its upload is taken by then). The original is read as it is now (edited, deleted).
  const original =
    recentSends.has(`${me}:${input.clientMessageId}`) || input.attachmentId ? await originalOf(me, input.clientMessageId) : null;
  if (original) return { message: messageView(original, me), created: false };
  const [chosen, replyTo] = await Promise.all([
    input.attachmentId ? chosenAttachment(me, conversation._id, input.attachmentId) : undefined,
    input.replyToId ? replyTarget(me, conversation, input.replyToId) : undefined,
  ]);
  if (!text && !chosen) throw new AppError('EMPTY_MESSAGE', 'Send text or an attachment');
  if (replyTo === null) throw new AppError('INVALID_REPLY', 'Reply to a message of this conversation');

  const _id = new Types.ObjectId();
  // An upload is taken for this message first (once: a second send of it is refused), and
  // given back if the message is not stored after all.
  let media: MessageMedia | null = null;
  if (chosen?.upload) {
    media = await takeAttachmentFor(me, conversation._id, input.attachmentId!, _id);
    if (!media) throw new AppError('INVALID_ATTACHMENT', 'This attachment was already sent');
  }
  const attachment = chosen?.photo;
  const createdAt = new Date();
  // Written with the driver: every field is built here from checked input, with its stored
  // type, so Mongoose's document building and validation (a good part of a send's CPU) add nothing.
  const fields = {
    _id,
    conversationId: conversation._id,
    senderId: new Types.ObjectId(me),
    clientMessageId: input.clientMessageId,
    createdAt,
    updatedAt: createdAt,
    ...(text ? { text: cipher.encrypt(text) } : {}),
    ...(attachment ? { attachment } : {}),
    ...(media ? { media } : {}),
    ...(replyTo ? { replyToId: new Types.ObjectId(input.replyToId), replyToSeq: replyTo.seq } : {}),
  };
  let stored: MessageDoc | undefined;
  try {
    let seq = await nextSeq(conversation._id);
    for (let attempt = 0; !stored; attempt++) {
      try {
        const doc: MessageDoc = { ...fields, seq, bucket: bucketOf(seq) };
        await Message.collection.insertOne(doc);
        stored = doc;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // A twin of this send got in first: the original is the answer. (Its number stays unused.)
        const twin = await originalOf(me, input.clientMessageId);
        if (twin) {
          if (media) await releaseAttachment(media.id, _id);
          return { message: messageView(twin, me), created: false };
        }
        // The number was taken (a counter started under a send in flight): the counter is
        // raised to what is stored (never lowered) and the send takes the next.
        if (attempt >= SEQ_ATTEMPTS) throw new AppError('CHAT_UNAVAILABLE', 'The message could not be numbered: send it again');
        seq = (await sequences().next(String(conversation._id), await storedSeq(conversation._id)))!;
      }
    }
  } catch (err) {
    if (media) await releaseAttachment(media.id, _id);
    throw err;
  }

  const seq = stored.seq;
  rememberSend(me, stored);
  recordTail(String(conversation._id), { seq, id: _id, senderId: me, createdAt });
  // Without an upload every member's view is the sender's: built once, from the text in hand.
  const message = messageView(stored, me, text);
  const memberIds = memberIdsOf(conversation);
  await publishMessage(conversation, memberIds, 'chat:message', stored, message, replyTo?.late ?? new Set());
  tellOfflineMembersLater(String(conversation._id), memberIds, me);
  countLater(() => recordEvent('message', { userId: me }));
  countLive('message');
  countLater(() => recordMilestone(me, 'message'));
  if (conversation.type !== 'group' && seq <= EARLY_MESSAGES) noteEarlyMessage(me, conversation, seq);
  return { message, created: true };
}

const SEQ_ATTEMPTS = 3;

/**
 * The message a send replies to, and the members who came into the group after it (who will
 * not be told which it was): one of this conversation the sender may read (not from before
 * they came in); null for any other. Read before the insert, so nothing is left to fail after it.
 */
async function replyTarget(
  me: string,
  conversation: ConversationDoc,
  replyToId: string,
): Promise<{ seq: number; late: ReadonlySet<string> } | null> {
  const target = await Message.findOne({ _id: replyToId, conversationId: conversation._id }, { seq: 1 }).lean();
  if (!target) return null;
  if (conversation.type !== 'group') return { seq: target.seq, late: new Set() };
  const [late, myRow] = await Promise.all([
    membersCameAfter(conversation, target.seq),
    ConversationMember.exists({ conversationId: conversation._id, userId: me }),
  ]);
  // Listed without a row (an add or a removal half done): nothing before now, as historyFloorOf has it.
  return !myRow || late.has(me) ? null : { seq: target.seq, late };
}

// Sends this process stored lately, by sender and clientMessageId: a resend (a lost ack,
// a reconnect) is known here and read before it takes a number. One that misses (another
// process, or later) is found by its insert failing and leaves its number unused.
const recentSends = new Set<string>();
const RECENT_SENDS = 20_000;
function rememberSend(me: string, doc: MessageDoc): void {
  if (recentSends.size >= RECENT_SENDS) recentSends.delete(recentSends.values().next().value!);
  recentSends.add(`${me}:${doc.clientMessageId}`);
}

const originalOf = (me: string, clientMessageId: string) => Message.findOne({ senderId: me, clientMessageId }).lean<MessageDoc>();

// How many buckets past the recorded last message a counter start looks.
const STORED_SEQ_BUCKETS = 20;

/** The conversation's next message number: from the counter, started from what is stored when unknown. */
async function nextSeq(conversationId: Types.ObjectId): Promise<number> {
  const id = String(conversationId);
  return (await sequences().next(id)) ?? (await sequences().next(id, await storedSeq(conversationId)))!;
}

/**
 * The highest message number stored in a conversation: its recorded last message, or a
 * later message whose tail write was lost (a crash), whose tail is then written again.
 */
async function storedSeq(conversationId: Types.ObjectId): Promise<number> {
  const recorded = (await Conversation.findById(conversationId, { seq: 1 }).lean())?.seq ?? 0;
  // Bucket by bucket from the recorded one (equality reads), while buckets hold messages.
  let latest: { _id: Types.ObjectId; seq: number; senderId: Types.ObjectId; createdAt: Date } | null = null;
  for (let b = bucketOf(recorded); b <= bucketOf(recorded) + STORED_SEQ_BUCKETS; b++) {
    const top = await Message.findOne({ conversationId, bucket: b }, { seq: 1, senderId: 1, createdAt: 1 })
      .sort({ seq: -1 })
      .lean();
    if (!top) break;
    latest = top;
  }
  if (!latest || latest.seq <= recorded) return recorded;
  recordTail(String(conversationId), {
    seq: latest.seq,
    id: latest._id,
    senderId: String(latest.senderId),
    createdAt: latest.createdAt,
  });
  return latest.seq;
}

async function readBucket(
  conversationId: Types.ObjectId,
  bucket: number,
  seqRange: Record<string, number>,
  order: 1 | -1,
  limit: number,
) {
  // The range of one bucket is at most MESSAGE_BUCKET rows: read whole, ordered and cut here.
  // FerretDB can apply a limit before the sort on a range, handing back the wrong end of it.
  const rows = await Message.find({ conversationId, bucket, seq: seqRange }).lean<MessageDoc[]>();
  return rows.sort((x, y) => order * (x.seq - y.seq)).slice(0, limit);
}

// Bucket reads one history page may make: a page of 100 spans two buckets, more only
// across numbers left unused; the bound keeps a client's number from driving the loop.
const HISTORY_READS_PER_PAGE = 4;

/**
 * A page of history in order, `before` or `after` a message number (default: the
 * latest). Each read is one bucket of 100 numbers: an indexed equality part however
 * long the conversation. Numbers past the conversation's end are clamped to it, and a
 * page makes at most HISTORY_READS_PER_PAGE reads; a short page still returns the
 * number to go on from.
 */
export async function listMessages(me: string, conversationId: string, page: { before?: number; after?: number; limit: number }) {
  const conversation = await memberConversation(me, conversationId);
  // Someone added to a group reads from where they came in.
  const floor = await historyFloorOf(me, conversation);
  const lastSeq = conversation.seq ?? 0;
  const found: MessageDoc[] = [];
  // The edge of what was read: the next page in that direction starts there.
  let edge: number;
  if (page.after !== undefined) {
    edge = Math.max(Math.min(page.after, lastSeq), floor - 1);
    for (let reads = 0; reads < HISTORY_READS_PER_PAGE && edge < lastSeq && found.length < page.limit; reads++) {
      const b = bucketOf(edge + 1);
      const batch = await readBucket(conversation._id, b, { $gt: edge }, 1, page.limit - found.length);
      found.push(...batch);
      edge = found.length === page.limit ? found.at(-1)!.seq : Math.min(lastSeq, (b + 1) * MESSAGE_BUCKET - 1);
    }
  } else {
    // The latest page reads the whole newest bucket: a last message another process (or one
    // that died) has not recorded yet is shown all the same.
    edge = page.before === undefined ? (bucketOf(lastSeq) + 1) * MESSAGE_BUCKET : Math.min(page.before, lastSeq + 1);
    for (let reads = 0; reads < HISTORY_READS_PER_PAGE && edge > floor && found.length < page.limit; reads++) {
      const b = bucketOf(edge - 1);
      const batch = await readBucket(conversation._id, b, { $lt: edge, $gte: floor }, -1, page.limit - found.length);
      found.push(...batch);
      edge = found.length === page.limit ? found.at(-1)!.seq : Math.max(floor, b * MESSAGE_BUCKET);
    }
    found.reverse();
  }
  const first = found[0]?.seq;
  const last = found.at(-1)?.seq;
  return {
    messages: found.map((m) => viewWithin(m, me, floor)),
    // Numbers to page on from; null when there is nothing further that way.
    before: page.after === undefined ? (edge > floor ? edge : null) : first !== undefined && first > floor ? first : null,
    after: page.after !== undefined ? (edge < lastSeq ? edge : null) : last !== undefined && last < lastSeq ? last : null,
  };
}

async function ownRecentMessage(me: string, messageId: string, allowGroupAdmin: boolean) {
  const { message, conversation } = await memberMessage(me, messageId);
  if (message.deletedAt) throw new AppError('MESSAGE_DELETED', 'This message was deleted');
  const own = String(message.senderId) === me;
  const recent = Date.now() - message.createdAt.getTime() <= config.chat.editWindowMs;
  if (own && recent) return { message, conversation };
  if (allowGroupAdmin && conversation.type === 'group') {
    const role = await ConversationMember.findOne({ conversationId: conversation._id, userId: me }, { role: 1 }).lean();
    if (role?.role === 'admin') return { message, conversation };
  }
  throw forbidden(
    own ? 'The time to change this message has passed' : 'Only the sender can change a message',
    'EDIT_NOT_ALLOWED',
  );
}

export async function editMessage(me: string, messageId: string, text: string): Promise<MessageView> {
  const { message, conversation } = await ownRecentMessage(me, messageId, false);
  const clean = checkedText(text);
  if (!clean) throw new AppError('EMPTY_MESSAGE', 'A message needs text');
  // An edit reaches the other side like a new message: only where one may send.
  await requireSenderAudience(me, conversation);
  const res = await Message.updateOne(
    { _id: message._id, deletedAt: null },
    { $set: { text: cipher.encrypt(clean), editedAt: new Date() } },
  );
  if (res.modifiedCount !== 1) throw new AppError('MESSAGE_DELETED', 'This message was deleted');
  const edited = (await Message.findById(message._id).lean<MessageDoc>())!;
  await touch(conversation._id);
  // Not to someone added since: the text of an earlier message is not theirs.
  await publishMessage(
    conversation,
    await membersWhoSee(conversation, memberIdsOf(conversation), edited.seq),
    'chat:edited',
    edited,
  );
  return messageView(edited, me);
}

/**
 * Deletes the content (the sender within the window, or a group admin); the numbered place
 * stays. An uploaded attachment's links stop at once; its objects go now where `storage`
 * is at hand, else with the media worker's next sweep.
 */
export async function deleteMessage(me: string, messageId: string, storage?: StorageProvider): Promise<void> {
  const { message, conversation } = await ownRecentMessage(me, messageId, true);
  await Message.updateOne(
    { _id: message._id },
    { $set: { deletedAt: new Date() }, $unset: { text: 1, attachment: 1, media: 1 } },
  );
  if (message.media) {
    await dropAttachment(message.media.id);
    if (storage) await reapAttachments(storage, { _id: message.media.id, status: 'dropped' });
  }
  await touch(conversation._id);
  publishToUsers(await membersWhoSee(conversation, memberIdsOf(conversation), message.seq), 'chat:deleted', {
    id: String(message._id),
    conversationId: String(conversation._id),
  });
}

/** Moves the member's read pointer forward (never back) and tells the others, unless they hide read receipts. */
export async function markRead(me: string, conversationId: string, upToMessageId: string): Promise<{ lastReadSeq: number }> {
  const conversation = await memberConversation(me, conversationId);
  const message = Types.ObjectId.isValid(upToMessageId)
    ? await Message.findOne({ _id: upToMessageId, conversationId: conversation._id }, { seq: 1 }).lean()
    : null;
  // One from before they were taken into the group is not theirs to name.
  if (!message || (!everyMemberSees(conversation, message.seq) && message.seq < (await historyFloorOf(me, conversation))))
    throw notFound('Message');
  const res = await ConversationMember.updateOne(
    { conversationId: conversation._id, userId: me, lastReadSeq: { $lt: message.seq } },
    { $set: { lastReadSeq: message.seq } },
  );
  if (res.modifiedCount === 1) {
    // The pointer is one's own; the receipt goes to those one can still reach.
    const [user, audience] = await Promise.all([
      User.findById(me, { 'settings.privacy.readReceipts': 1 }).lean(),
      // Not to someone taken in after the message: its id is not theirs.
      receiptAudience(me, conversation).then((to) => to && membersWhoSee(conversation, to, message.seq)),
    ]);
    if (user?.settings?.privacy?.readReceipts !== false && audience?.length) {
      publishToUsers(audience, 'chat:read', { conversationId, userId: me, upToMessageId, upToSeq: message.seq });
    }
    // Having read the conversation, its message notice is read too.
    await markTargetRead(me, 'message', conversationId);
  }
  const member = await ConversationMember.findOne({ conversationId: conversation._id, userId: me }, { lastReadSeq: 1 }).lean();
  return { lastReadSeq: member?.lastReadSeq ?? 0 };
}

// Every toggle sends a message's whole reaction map to every member, and the map lives in the
// message: a person keeps a few reactions on one message, and a message a bounded set of kinds.
const REACTIONS_PER_PERSON = 10;
const REACTION_KINDS = 50;

/** Refuses a new reaction beyond those bounds (concurrent adds may pass one or two over: bounded all the same). */
async function assertRoomForReaction(me: string, message: MessageDoc, emoji: string): Promise<void> {
  const counts = message.reactions instanceof Map ? Object.fromEntries(message.reactions) : (message.reactions ?? {});
  const kinds = Object.entries(counts).filter(([, n]) => n > 0);
  const tooMany = () => new AppError('TOO_MANY_REACTIONS', 'This message holds the most reactions it may');
  if (!kinds.some(([k]) => k === emoji) && kinds.length >= REACTION_KINDS) throw tooMany();
  if ((await Reaction.countDocuments({ messageId: message._id, userId: me })) >= REACTIONS_PER_PERSON) throw tooMany();
}

/** Toggles one reaction: the unique (message, user, emoji) record decides, the count follows with $inc. */
export async function toggleReaction(me: string, messageId: string, emoji: string) {
  const { message, conversation } = await memberMessage(me, messageId);
  if (message.deletedAt) throw new AppError('MESSAGE_DELETED', 'This message was deleted');
  const audience = await requireSenderAudience(me, conversation);
  if (!(await Reaction.exists({ messageId: message._id, userId: me, emoji }))) {
    await assertRoomForReaction(me, message as MessageDoc, emoji);
  }
  // The unique (message, user, emoji) record decides: stored now, or there already and removed.
  const added = await insertedOnce(() => Reaction.create({ messageId: message._id, userId: me, emoji }));
  const removed = !added && (await Reaction.deleteOne({ messageId: message._id, userId: me, emoji })).deletedCount === 1;
  const payload = (m: MessageDoc) => ({
    messageId,
    conversationId: String(conversation._id),
    userId: me,
    emoji,
    added,
    reactions: messageView(m, me).reactions,
  });
  // Neither: a toggle at the same moment took it away first. Nothing is left to change (a
  // count moved without its record would drift with every such pair).
  if (!added && !removed) return payload((await Message.findById(message._id).lean<MessageDoc>())!);
  let updated = await Message.findOneAndUpdate(
    { _id: message._id },
    { $inc: { [`reactions.${emoji}`]: added ? 1 : -1 } },
    { returnDocument: 'after' },
  ).lean<MessageDoc>();
  // A kind nobody holds any more leaves the map (unless someone added it back just now).
  if (removed) {
    updated =
      (await Message.findOneAndUpdate(
        { _id: message._id, [`reactions.${emoji}`]: 0 },
        { $unset: { [`reactions.${emoji}`]: 1 } },
        { returnDocument: 'after' },
      ).lean<MessageDoc>()) ?? updated;
  }
  await touch(conversation._id);
  const told = payload(updated!);
  publishToUsers(await membersWhoSee(conversation, [me, ...audience], message.seq), 'chat:reaction', told);
  return told;
}

const SYNC_LIMIT = 500;
// A page also ends past this many bytes of messages as sent, at least one message in: an
// answer is written whole, to a client that may not read it, and must not be megabytes (500
// messages of 4,000 characters were 2 MB).
export const SYNC_MAX_BYTES = 512 * 1024;
// How far back a sync reaches: an older cursor is refused, and the client reloads history.
const SYNC_MAX_AGE_MS = 7 * 86_400_000;
// A cursor may run ahead of this server's clock by a little (another process's), not more.
const SYNC_MAX_AHEAD_MS = 5 * 60_000;
// Buckets one conversation may be read back through in one sync; busier ones are named
// in `reload`, for the client to read their latest page of history instead.
const SYNC_BUCKETS_PER_CONVERSATION = 5;

function syncStart(since: string | undefined, now: number): { from: number; sinceId: string } {
  if (since === undefined) return { from: now - 86_400_000, sinceId: '' };
  const [ms, id] = since.split('_');
  const from = Number(ms);
  if (from > now + SYNC_MAX_AHEAD_MS) throw new AppError('INVALID_CURSOR', 'This cursor did not come from a sync');
  if (from < now - SYNC_MAX_AGE_MS) {
    throw new AppError('SYNC_CURSOR_EXPIRED', 'This cursor is too old to catch up from; reload the conversations');
  }
  return { from, sinceId: id ?? '' };
}

/**
 * Everything that changed since a cursor (the `cursor` of the previous sync, or none for
 * the last day), in the order it changed: new messages, and edits, deletions and
 * reaction counts as the message's current state. For catch-up after a reconnect or on
 * a new device. Reads only conversations with activity since, each from its newest
 * bucket back to the first bucket with nothing new, at most a few buckets (so changes
 * to much older messages, such as a late reaction, arrive live or with history, not
 * here). A cursor older than a week, or from the future, is refused at once.
 */
export async function syncMessages(me: string, since: string | undefined) {
  const now = Date.now();
  const { from, sinceId } = syncStart(since, now);
  const changedAt = (m: MessageDoc) => (m.updatedAt ?? m.createdAt).getTime();
  const isNew = (m: MessageDoc) => changedAt(m) > from || (changedAt(m) === from && String(m._id) > sinceId);
  const memberships = await membershipsOf(me);
  const conversations = memberships.map((m) => m.conversation) as (ConversationDoc & { activityAt?: Date })[];
  // Someone added to a group later catches up from where they came in.
  const floors = new Map(memberships.map((m) => [String(m.conversation._id), m.historyFromSeq]));
  // Another process's last send may not be recorded yet (written behind): a little earlier is
  // looked at too, and so is every conversation that took a number since (its record may
  // never have been written: a process killed first).
  const lookFrom = from - TAIL_LAG_MS;
  const numbered = await sequences().numberedSince(
    conversations.map((c) => String(c._id)),
    lookFrom,
  );
  const active = conversations.filter(
    (c) =>
      (c.lastMessageAt && c.lastMessageAt.getTime() >= lookFrom) ||
      (c.activityAt && c.activityAt.getTime() >= lookFrom) ||
      numbered.has(String(c._id)),
  );
  const found: MessageDoc[] = [];
  const reload: string[] = [];
  for (const c of active) {
    // From one bucket past the recorded last message (one not recorded yet may be there), back
    // to a bucket with messages and none new. A bucket without messages (numbers left unused)
    // is stepped over, within the limit.
    const newest = bucketOf(c.seq ?? 0) + 1;
    for (let b = newest; b >= 0; b--) {
      if (newest - b > SYNC_BUCKETS_PER_CONVERSATION) {
        reload.push(String(c._id));
        break;
      }
      const bucket = await Message.find({ conversationId: c._id, bucket: b }).lean<MessageDoc[]>();
      const floor = floors.get(String(c._id)) ?? 1;
      const fresh = bucket.filter((m) => isNew(m) && m.seq >= floor);
      found.push(...fresh);
      if (bucket.length > 0 && fresh.length === 0) break;
    }
  }
  found.sort((a, b) => changedAt(a) - changedAt(b) || (String(a._id) < String(b._id) ? -1 : 1));
  const messages = syncPage(found, (m) => viewWithin(m, me, floors.get(String(m.conversationId)) ?? 1));
  const last = found[messages.length - 1];
  return {
    messages,
    cursor: last ? `${changedAt(last)}_${String(last._id)}` : (since ?? `${from}_`),
    more: found.length > messages.length,
    reload,
  };
}

/**
 * The views of the first messages a sync found: up to SYNC_LIMIT of them, and no more than
 * SYNC_MAX_BYTES as JSON (text, reactions, links and all), one at least.
 */
function syncPage<V>(found: MessageDoc[], view: (m: MessageDoc) => V): V[] {
  const views: V[] = [];
  let bytes = 2; // the list's brackets, and a comma after each
  for (const m of found) {
    if (views.length === SYNC_LIMIT) break;
    const v = view(m);
    bytes += Buffer.byteLength(JSON.stringify(v)) + 1;
    if (views.length > 0 && bytes > SYNC_MAX_BYTES) break;
    views.push(v);
  }
  return views;
}

/** Marks a conversation as changed now (an edit, deletion or reaction), so sync looks at it. */
function touch(conversationId: Types.ObjectId): Promise<unknown> {
  return Conversation.updateOne({ _id: conversationId }, { $set: { activityAt: new Date() } });
}
