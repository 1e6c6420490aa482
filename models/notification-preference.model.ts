import { Schema, model } from 'mongoose';
import { NOTIFICATION_TYPES } from './notification.model.js';

/** The channels a person can switch per type; email follows in a later round. */
export const CHANNELS = ['inApp', 'push'] as const;

/**
 * What a person turned off, per channel (everything else is on), and the hours device push
 * keeps quiet in their time zone: one document per user, by id.
 */
const notificationPreferenceSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    inAppOff: { type: [{ type: String, enum: NOTIFICATION_TYPES }], default: [] },
    pushOff: { type: [{ type: String, enum: NOTIFICATION_TYPES }], default: [] },
    // "22:00" to "07:00" in an IANA time zone; absent: no quiet hours.
    quietHours: {
      type: new Schema({ start: String, end: String, timeZone: String }, { _id: false }),
      default: undefined,
    },
  },
  { versionKey: false },
);
export const NotificationPreference = model('NotificationPreference', notificationPreferenceSchema);
