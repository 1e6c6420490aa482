import { Schema, model } from 'mongoose';

export const MATCH_OUTCOMES = ['accepted', 'rejected', 'expired', 'left', 'disconnected'] as const;

/**
 * Two people paired by the matchmaker: their tickets (to put a partner back in the queue),
 * each one's answer, and how it ended. Every change is a conditional update on status.
 */
const matchSchema = new Schema(
  {
    userIds: { type: [Schema.Types.ObjectId], required: true },
    mode: { type: String, enum: ['chat', 'video'], required: true },
    status: { type: String, enum: ['pending', ...MATCH_OUTCOMES], required: true },
    tickets: { type: [Schema.Types.Mixed], required: true },
    answers: { type: Map, of: Boolean, default: {} },
    foundAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    answeredAt: { type: Date },
    endedAt: { type: Date },
    conversationId: { type: Schema.Types.ObjectId },
    callId: { type: Schema.Types.ObjectId },
  },
  { versionKey: false },
);

matchSchema.index({ userIds: 1, _id: -1 });
// The clean-up job: pending matches past their answer time (the process that made them died).
matchSchema.index({ status: 1, expiresAt: 1 });

export const Match = model('Match', matchSchema);
