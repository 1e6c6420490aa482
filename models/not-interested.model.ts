import { Schema, model } from 'mongoose';

/** "Not interested" on a post: it never shows again, and posts like it (author, hashtags) rank lower. */
const notInterestedSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${userId}:${postId}`
    userId: { type: Schema.Types.ObjectId, required: true },
    postId: { type: Schema.Types.ObjectId, required: true },
    authorId: { type: Schema.Types.ObjectId, required: true },
    hashtags: { type: [String], default: [] },
  },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);

notInterestedSchema.index({ userId: 1, _id: -1 });

export const NotInterested = model('NotInterested', notInterestedSchema);
