import { Schema, model } from 'mongoose';

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
