import { Schema, model } from 'mongoose';

/**
 * A direct conversation (one per pair: pairKey is unique) or a group. memberIds mirrors
 * the members collection so fan-out and membership checks need no second read; roles and
 * read pointers live in ConversationMember.
 */
const conversationSchema = new Schema(
  {
    // match: two strangers the matchmaker paired; they may chat without a connection.
    type: { type: String, enum: ['direct', 'group', 'match'], required: true },
    pairKey: { type: String },
    name: { type: String, maxlength: 80 },
    avatarUrl: { type: String },
    memberIds: { type: [Schema.Types.ObjectId], required: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    // The number of the last message, taken by the \$inc that also records it as the last
    // message: one atomic write per send.
    seq: { type: Number, default: 0 },
    lastMessageAt: { type: Date },
    // The last edit, deletion or reaction: chat:sync looks at conversations changed since its cursor.
    activityAt: { type: Date },
    // A group's highest member floor (historyFromSeq): a message numbered at or above it is
    // every member's, so who may see it needs no member read (absent: unknown, read them).
    maxHistoryFromSeq: { type: Number },
    lastMessage: {
      id: { type: Schema.Types.ObjectId },
      senderId: { type: Schema.Types.ObjectId },
      createdAt: { type: Date },
    },
  },
  { timestamps: true, versionKey: false },
);

conversationSchema.index({ pairKey: 1 }, { unique: true, sparse: true });
// The groups one person created lately, counted against CHAT_MAX_GROUPS_CREATED.
conversationSchema.index({ createdBy: 1, type: 1, createdAt: 1 });
// No index on memberIds: FerretDB keeps an array in one btree entry, capped at 2,704 bytes
// (about 75 ids), so a large group could not be stored. "My conversations" reads the
// members collection instead.

export const Conversation = model('Conversation', conversationSchema);

/** Each member's role and read pointer: one per member per conversation, never arrays on messages. */
const memberSchema = new Schema(
  {
    conversationId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    role: { type: String, enum: ['admin', 'member'], default: 'member' },
    lastReadSeq: { type: Number, default: 0 },
    // Added to a group later: the first message number they may read (absent: all of it),
    // and when: their view of the group's activity starts there.
    historyFromSeq: { type: Number },
    historyFromAt: { type: Date },
    // Muted until then: no notices of this conversation's messages (absent: not muted).
    mutedUntil: { type: Date, default: undefined },
  },
  { timestamps: true, versionKey: false },
);

memberSchema.index({ conversationId: 1, userId: 1 }, { unique: true });
memberSchema.index({ userId: 1 });

export const ConversationMember = model('ConversationMember', memberSchema);
