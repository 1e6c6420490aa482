import { Schema, model } from 'mongoose';

/** blockerId hides blockedId, and the reverse, everywhere. One document per direction. */
const blockSchema = new Schema(
  {
    blockerId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    blockedId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

blockSchema.index({ blockerId: 1, blockedId: 1 }, { unique: true });
// "Who blocked me" for the reverse direction.
blockSchema.index({ blockedId: 1 });

export const Block = model('Block', blockSchema);
