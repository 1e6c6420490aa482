import { Schema, model } from 'mongoose';

/** Connection requests a user sent on one UTC day; the key makes the day's counter unique. */
const quotaCounterSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${userId}:${day}`
    userId: { type: Schema.Types.ObjectId, required: true },
    day: { type: String, required: true }, // YYYY-MM-DD (UTC)
    used: { type: Number, required: true, default: 0 },
  },
  { versionKey: false },
);

// The clean-up job deletes past days.
quotaCounterSchema.index({ day: 1 });

export const QuotaCounter = model('QuotaCounter', quotaCounterSchema);
