import { Schema, model } from 'mongoose';

export const CALL_OUTCOMES = ['accepted', 'declined', 'cancelled', 'missed', 'hangup', 'disconnected'] as const;

/**
 * A call between two people, from the ring to the end: who, what kind, when it rang, was
 * answered, connected and ended, how it ended and how long it lasted. Every state change
 * is a conditional update on status, so a call ends exactly once.
 */
const callSchema = new Schema(
  {
    callerId: { type: Schema.Types.ObjectId, required: true },
    calleeId: { type: Schema.Types.ObjectId, required: true },
    memberIds: { type: [Schema.Types.ObjectId], required: true },
    mode: { type: String, enum: ['video', 'audio'], required: true },
    status: { type: String, enum: ['ringing', 'connected', 'ended'], required: true },
    outcome: { type: String, enum: CALL_OUTCOMES },
    ringingAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    connectedAt: { type: Date },
    // When the clean-up first found neither member online (a crashed process's call).
    orphanSeenAt: { type: Date },
    // A random match's call: signaled with relayed candidates only (services/match/relay-only.ts).
    relayOnly: { type: Boolean },
    endedAt: { type: Date },
    durationSec: { type: Number },
  },
  { versionKey: false },
);

// History and "my active call": one equality on the member, newest first.
callSchema.index({ memberIds: 1, _id: -1 });
// The clean-up job: ringing calls past their timeout (the process that rang them died).
callSchema.index({ status: 1, expiresAt: 1 });

export const Call = model('Call', callSchema);
