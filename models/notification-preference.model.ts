import { Schema, model } from 'mongoose';
import { NOTIFICATION_TYPES } from './notification.model.js';

/** What a person turned off, per channel (everything else is on): one document per user, by id. */
const notificationPreferenceSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    inAppOff: { type: [{ type: String, enum: NOTIFICATION_TYPES }], default: [] },
  },
  { versionKey: false },
);
export const NotificationPreference = model('NotificationPreference', notificationPreferenceSchema);
