import { Schema, model } from 'mongoose';

/**
 * "This post changed (edited, deleted, hidden, restored) this hour": what each process's
 * in-memory index of recent posts reads to re-read or drop them (services/feeds/recent-index).
 */
const postChangeSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${postId}:${hour}`
    postId: { type: Schema.Types.ObjectId, required: true },
    hour: { type: String, required: true },
  },
  { versionKey: false },
);

postChangeSchema.index({ hour: 1 });

export const PostChange = model('PostChange', postChangeSchema);
