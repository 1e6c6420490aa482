import { Schema, model } from 'mongoose';

/** A share: to the sharer's feed (once per person) or into a chat conversation. */
const postShareSchema = new Schema(
  {
    postId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    target: { type: String, enum: ['feed', 'conversation'], required: true },
    conversationId: { type: Schema.Types.ObjectId },
    // `feed` for feed shares (one per person), the message id for chat shares.
    key: { type: String, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
postShareSchema.index({ postId: 1, userId: 1, key: 1 }, { unique: true });
postShareSchema.index({ userId: 1, _id: -1 });
export const PostShare = model('PostShare', postShareSchema);
