import { Schema, model } from 'mongoose';
import { NOTIFICATION_TYPES, type NotificationType } from './notification.model.js';

/** The channels a person can set per type, and the frequencies each takes. */
export const CHANNELS = ['inApp', 'push', 'email'] as const;
export const FREQUENCIES = {
  inApp: ['immediate', 'off'],
  push: ['immediate', 'off'],
  email: ['immediate', 'daily', 'weekly', 'off'],
} as const;
export type EmailFrequency = (typeof FREQUENCIES.email)[number];

/** Email unless a person chose otherwise: only what concerns their money or their content, at once. */
export const EMAIL_DEFAULTS: Partial<Record<NotificationType, EmailFrequency>> = {
  payment_failed: 'immediate',
  moderation: 'immediate',
};

const types = { type: [{ type: String, enum: NOTIFICATION_TYPES }], default: [] };

/**
 * What a person chose, per channel (anything not named takes the default: in-app and push
 * on, email as EMAIL_DEFAULTS), and the hours device push keeps quiet in their time zone:
 * one document per user, by id. Email choices are lists per frequency, so the digest job
 * finds the people who want a daily or weekly one.
 */
const notificationPreferenceSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    inAppOff: types,
    pushOff: types,
    emailImmediate: types,
    emailDaily: types,
    emailWeekly: types,
    emailOff: types,
    // "22:00" to "07:00" in an IANA time zone; absent: no quiet hours.
    quietHours: {
      type: new Schema({ start: String, end: String, timeZone: String }, { _id: false }),
      default: undefined,
    },
  },
  { versionKey: false },
);
export const NotificationPreference = model('NotificationPreference', notificationPreferenceSchema);
