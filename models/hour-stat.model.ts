import { Schema, model } from 'mongoose';
import { engagementCounts } from './engagement-counts.js';

/**
 * Engagement per hour, for the viral and trending jobs' sliding windows: per post
 * (`p:<postId>:<hour>`) and per hashtag (`t:<tag>:<hour>`, with the posts that used it).
 */
const hourStatSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ['post', 'tag'], required: true },
    key: { type: String, required: true },
    hour: { type: String, required: true }, // YYYY-MM-DDTHH (UTC)
    ...engagementCounts,
    posts: { type: Number, default: 0 },
  },
  { versionKey: false },
);

// A window is a few hours: each is an equality on (kind, hour).
hourStatSchema.index({ kind: 1, hour: 1 });

export const HourStat = model('HourStat', hourStatSchema);
