import { Schema, model } from 'mongoose';

/** Messages are read in buckets of this many consecutive numbers: the equality part of every history query. */
export const MESSAGE_BUCKET = 100;

const encryptedSchema = new Schema(
  {
    keyId: { type: String, required: true },
    iv: { type: String, required: true },
    tag: { type: String, required: true },
    data: { type: String, required: true },
  },
  { _id: false },
);

/** A chat attachment as its message shows it (ChatAttachment holds the rest): kept here so history needs no second read. */
const mediaSchema = new Schema(
  {
    id: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, required: true },
    // Private object keys by role; every view signs its own short-lived links.
    keys: { type: Schema.Types.Mixed, required: true },
    width: { type: Number },
    height: { type: Number },
    durationSec: { type: Number },
    name: { type: String },
    contentType: { type: String },
    bytes: { type: Number },
  },
  { _id: false },
);

const messageSchema = new Schema(
  {
    conversationId: { type: Schema.Types.ObjectId, required: true },
    // 1, 2, 3... per conversation: the order every device shows, and the read pointer's unit.
    seq: { type: Number, required: true },
    bucket: { type: Number, required: true },
    senderId: { type: Schema.Types.ObjectId, required: true },
    // The sender's own id for this message: a resend returns the original, never a copy.
    clientMessageId: { type: String, required: true },
    // Text encrypted at rest (AES-256-GCM); absent when deleted.
    text: { type: encryptedSchema },
    attachment: {
      url: { type: String },
      width: { type: Number },
      height: { type: Number },
    },
    // An uploaded image, video, voice note or file (the legacy `attachment` is a profile photo).
    media: { type: mediaSchema },
    replyToId: { type: Schema.Types.ObjectId },
    // The number of the message replied to: a member who came into the group after it is not told its id.
    replyToSeq: { type: Number },
    // Counts per emoji, kept by $inc as Reaction records come and go.
    reactions: { type: Map, of: Number },
    editedAt: { type: Date },
    deletedAt: { type: Date },
  },
  { timestamps: true, versionKey: false },
);

messageSchema.index({ senderId: 1, clientMessageId: 1 }, { unique: true });
// One message per number in a conversation: numbers come from a counter (message-sequence.ts),
// and this index is what catches one handed out twice.
messageSchema.index({ conversationId: 1, bucket: 1, seq: 1 }, { unique: true });

export const Message = model('Message', messageSchema);

/** One reaction per user, emoji and message; toggling deletes it. */
const reactionSchema = new Schema(
  {
    messageId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    emoji: { type: String, required: true, maxlength: 16 },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

reactionSchema.index({ messageId: 1, userId: 1, emoji: 1 }, { unique: true });

export const Reaction = model('Reaction', reactionSchema);
