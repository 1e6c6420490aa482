import { Schema, model } from 'mongoose';

/** One person's like of a post: the unique pair makes likes idempotent and the counter exact. */
const postLikeSchema = new Schema(
  {
    postId: { type: Schema.Types.ObjectId, ref: 'Post', required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

postLikeSchema.index({ postId: 1, userId: 1 }, { unique: true });
// Who liked a post, newest first; what a user liked.
postLikeSchema.index({ postId: 1, _id: -1 });
postLikeSchema.index({ userId: 1, _id: -1 });

export const PostLike = model('PostLike', postLikeSchema);
