import { Schema, model } from 'mongoose';

/**
 * One For You browsing session: the ranked posts in the order served. Pages are slices of
 * it, so pagination is stable and nothing is served twice in a session.
 */
const feedSessionSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    items: { type: [Schema.Types.ObjectId], default: [] },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);

feedSessionSchema.index({ expiresAt: 1 });

export const FeedSession = model('FeedSession', feedSessionSchema);
