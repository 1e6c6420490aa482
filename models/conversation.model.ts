import { Schema, model } from 'mongoose';

/**
 * A direct conversation (one per pair: pairKey is unique) or a group. memberIds mirrors
 * the members collection so "my conversations" is one equality lookup and fan-out needs
 * no second read; roles and read pointers live in ConversationMember.
 */
const conversationSchema = new Schema(
  {
    type: { type: String, enum: ['direct', 'group'], required: true },
    pairKey: { type: String },
    name: { type: String, maxlength: 80 },
    avatarUrl: { type: String },
    memberIds: { type: [Schema.Types.ObjectId], required: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    lastMessageAt: { type: Date },
    lastMessage: {
      id: { type: Schema.Types.ObjectId },
      senderId: { type: Schema.Types.ObjectId },
      seq: { type: Number },
      createdAt: { type: Date },
    },
  },
  { timestamps: true, versionKey: false },
);

conversationSchema.index({ pairKey: 1 }, { unique: true, sparse: true });
conversationSchema.index({ memberIds: 1, lastMessageAt: -1 });

export const Conversation = model('Conversation', conversationSchema);

/** Each member's role and read pointer: one per member per conversation, never arrays on messages. */
const memberSchema = new Schema(
  {
    conversationId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    role: { type: String, enum: ['admin', 'member'], default: 'member' },
    lastReadSeq: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false },
);

memberSchema.index({ conversationId: 1, userId: 1 }, { unique: true });
memberSchema.index({ userId: 1 });

export const ConversationMember = model('ConversationMember', memberSchema);

/** Message numbers per conversation, taken by an atomic $inc (small documents, unlike the conversation). */
const counterSchema = new Schema(
  { _id: { type: Schema.Types.ObjectId, required: true }, seq: { type: Number, default: 0 } },
  { versionKey: false },
);

export const ConversationCounter = model('ConversationCounter', counterSchema);
