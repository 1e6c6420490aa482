import { Schema, model } from 'mongoose';
import { engagementCounts } from './engagement-counts.js';

/** A creator's engagement over all their posts on one UTC day, and requests that came from a post. */
const creatorDayStatSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${authorId}:${day}`
    authorId: { type: Schema.Types.ObjectId, required: true },
    day: { type: String, required: true },
    ...engagementCounts,
    followersFromPosts: { type: Number, default: 0 },
  },
  { versionKey: false },
);
creatorDayStatSchema.index({ authorId: 1, day: 1 });
export const CreatorDayStat = model('CreatorDayStat', creatorDayStatSchema);
