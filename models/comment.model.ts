import { Schema, model } from 'mongoose';
import { imageKeysSchema } from './post.model.js';

/**
 * A comment on a post, or a reply to a comment (to any depth): parentId is what it answers,
 * rootId the top-level comment of its thread.
 */
const commentSchema = new Schema(
  {
    postId: { type: Schema.Types.ObjectId, ref: 'Post', required: true },
    authorId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    parentId: { type: Schema.Types.ObjectId, ref: 'Comment', default: null },
    rootId: { type: Schema.Types.ObjectId, ref: 'Comment', default: null },
    depth: { type: Number, default: 0 },
    text: { type: String, default: '' },
    mentions: { type: [Schema.Types.ObjectId], default: [] },
    image: { type: imageKeysSchema, default: undefined },
    objects: { type: [String], default: [] },
    replies: { type: Number, default: 0 },
    hiddenAt: { type: Date },
    // As a post's: why it is hidden (reports, a moderator), and by which role of staff.
    hiddenReason: { type: String },
    hiddenByRole: { type: String },
    // Set by a hiding that took it out of its post's and its parent's counts (those before did not).
    countedOut: { type: Boolean },
    deletedAt: { type: Date },
  },
  { timestamps: true, versionKey: false },
);

// A post's top-level comments, or a comment's replies, oldest first: equality on both, then _id.
commentSchema.index({ postId: 1, parentId: 1, _id: 1 });
commentSchema.index({ authorId: 1, _id: -1 });

export const Comment = model('Comment', commentSchema);
