import { Schema, model } from 'mongoose';

/**
 * The Following feed, written on fan-out: one entry per connection when a post becomes
 * ready (or is shared to a feed). Reading a page is one equality query on the owner.
 */
const feedEntrySchema = new Schema(
  {
    ownerId: { type: Schema.Types.ObjectId, required: true },
    postId: { type: Schema.Types.ObjectId, required: true },
    authorId: { type: Schema.Types.ObjectId, required: true },
    // Set when a connection shared it rather than wrote it.
    sharedBy: { type: Schema.Types.ObjectId },
  },
  { versionKey: false },
);

feedEntrySchema.index({ ownerId: 1, _id: -1 });
feedEntrySchema.index({ ownerId: 1, postId: 1 }, { unique: true });

export const FeedEntry = model('FeedEntry', feedEntrySchema);
