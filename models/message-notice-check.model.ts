import { Schema, model } from 'mongoose';

/**
 * A conversation whose offline members are to be looked at once the grace period after a
 * message is over (services/notifications/message-notice.ts). One per conversation, kept
 * in the database so a restart loses none; a process claims a due one for a while (a
 * lease) so two never check it at once.
 */
const messageNoticeCheckSchema = new Schema(
  {
    // The conversation's id.
    _id: { type: Schema.Types.ObjectId, required: true },
    dueAt: { type: Date, required: true },
    // The latest message it covers: one arriving while it is checked gets a check of its own.
    lastAt: { type: Date, required: true },
    claimedUntil: { type: Date, default: null },
  },
  { versionKey: false },
);

messageNoticeCheckSchema.index({ dueAt: 1 });

export const MessageNoticeCheck = model('MessageNoticeCheck', messageNoticeCheckSchema);
