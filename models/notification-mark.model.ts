import { Schema, model } from 'mongoose';

/**
 * "This person was already told that this actor did this to this target": likes, shares and
 * mentions tell once, however often the act is undone and done again. The id is the whole
 * key; the clean-up job drops marks past the notices' retention.
 */
const notificationMarkSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
notificationMarkSchema.index({ at: 1 });

export const NotificationMark = model('NotificationMark', notificationMarkSchema);
