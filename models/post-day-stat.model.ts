import { Schema, model } from 'mongoose';
import { engagementCounts } from './engagement-counts.js';

/** A post's engagement on one UTC day, counted on write ($inc). */
const postDayStatSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${postId}:${day}`
    postId: { type: Schema.Types.ObjectId, required: true },
    authorId: { type: Schema.Types.ObjectId, required: true },
    day: { type: String, required: true },
    ...engagementCounts,
  },
  { versionKey: false },
);
postDayStatSchema.index({ postId: 1, day: 1 });
postDayStatSchema.index({ day: 1 });
export const PostDayStat = model('PostDayStat', postDayStatSchema);
