import { Schema, model } from 'mongoose';

/**
 * How much a user engages with an author or a hashtag: the For You feed's interaction
 * history. Raised on write ($inc) by likes, comments, shares, bookmarks and views.
 */
const affinitySchema = new Schema(
  {
    _id: { type: String, required: true }, // `${userId}|${kind}|${key}`
    userId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['author', 'tag'], required: true },
    key: { type: String, required: true },
    score: { type: Number, default: 0 },
    updatedAt: { type: Date },
  },
  { versionKey: false },
);

affinitySchema.index({ userId: 1, kind: 1 });

export const Affinity = model('Affinity', affinitySchema);
