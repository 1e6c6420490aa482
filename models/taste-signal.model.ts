import { Schema, model } from 'mongoose';

export const TASTE_SIGNALS = [
  'like',
  'pass',
  'accept',
  'decline',
  'message',
  'match_accept',
  'match_reject',
  'call_long',
  'call_short',
  'view',
  'shown',
] as const;
export type TasteSignalKind = (typeof TASTE_SIGNALS)[number];

/**
 * What someone did towards someone else, queued for the adaptive matcher's learner (never
 * what they wrote): a swipe, an answer to a request or match, a message, a call's length, a
 * profile view, or cards shown (`targetIds`). The learner applies and deletes them in order.
 */
const tasteSignalSchema = new Schema(
  {
    actorId: { type: Schema.Types.ObjectId, required: true },
    targetId: { type: Schema.Types.ObjectId },
    targetIds: { type: [Schema.Types.ObjectId], default: undefined },
    kind: { type: String, enum: TASTE_SIGNALS, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

// A reset drops the person's queued signals either way.
tasteSignalSchema.index({ actorId: 1 });
tasteSignalSchema.index({ targetId: 1 });

export const TasteSignal = model('TasteSignal', tasteSignalSchema);
