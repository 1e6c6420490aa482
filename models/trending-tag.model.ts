import { Schema, model } from 'mongoose';

export const TREND_STATUS = ['pending', 'approved', 'rejected'] as const;

/** A hashtag the trending job found rising; it shows only once a moderator approves it. */
const trendingTagSchema = new Schema(
  {
    _id: { type: String, required: true }, // the tag
    status: { type: String, enum: TREND_STATUS, default: 'pending' },
    score: { type: Number, required: true },
    recent: { type: Number, required: true },
    baseline: { type: Number, required: true },
    detectedAt: { type: Date, required: true },
    reviewedBy: { type: Schema.Types.ObjectId },
    reviewedAt: { type: Date },
  },
  { versionKey: false },
);

trendingTagSchema.index({ status: 1, detectedAt: -1 });

export const TrendingTag = model('TrendingTag', trendingTagSchema);
