import { Schema, model } from 'mongoose';

/** A view counted once per viewer per post per UTC day: the key is the rule. */
const postViewSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${postId}:${userId}:${day}`
    postId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    day: { type: String, required: true },
  },
  { versionKey: false },
);
postViewSchema.index({ postId: 1 });
postViewSchema.index({ userId: 1, day: 1 });
export const PostView = model('PostView', postViewSchema);
