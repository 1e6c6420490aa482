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

/** A named folder of bookmarks; bookmarks without one are in "Saved". */
const bookmarkCollectionSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, maxlength: 50 },
  },
  { timestamps: true, versionKey: false },
);
bookmarkCollectionSchema.index({ userId: 1, name: 1 }, { unique: true });
export const BookmarkCollection = model('BookmarkCollection', bookmarkCollectionSchema);

const bookmarkSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    postId: { type: Schema.Types.ObjectId, required: true },
    collectionId: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, versionKey: false },
);
bookmarkSchema.index({ userId: 1, postId: 1 }, { unique: true });
bookmarkSchema.index({ userId: 1, collectionId: 1, _id: -1 });
bookmarkSchema.index({ postId: 1 });
export const Bookmark = model('Bookmark', bookmarkSchema);

const dayCounts = {
  views: { type: Number, default: 0 },
  likes: { type: Number, default: 0 },
  comments: { type: Number, default: 0 },
  shares: { type: Number, default: 0 },
  bookmarks: { type: Number, default: 0 },
};

/** A post's engagement on one UTC day, counted on write ($inc). */
const postDayStatSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${postId}:${day}`
    postId: { type: Schema.Types.ObjectId, required: true },
    authorId: { type: Schema.Types.ObjectId, required: true },
    day: { type: String, required: true },
    ...dayCounts,
  },
  { versionKey: false },
);
postDayStatSchema.index({ postId: 1, day: 1 });
postDayStatSchema.index({ day: 1 });
export const PostDayStat = model('PostDayStat', postDayStatSchema);

/** A creator's engagement over all their posts on one UTC day, and requests that came from a post. */
const creatorDayStatSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${authorId}:${day}`
    authorId: { type: Schema.Types.ObjectId, required: true },
    day: { type: String, required: true },
    ...dayCounts,
    followersFromPosts: { type: Number, default: 0 },
  },
  { versionKey: false },
);
creatorDayStatSchema.index({ authorId: 1, day: 1 });
export const CreatorDayStat = model('CreatorDayStat', creatorDayStatSchema);
