import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

export const PUSH_KINDS = ['web', 'fcm'] as const;
export type PushKind = (typeof PUSH_KINDS)[number];

/**
 * A device that takes push: a browser's web push subscription (its push service endpoint and
 * keys) or an app's Firebase token. One owner per device: another account may take it over
 * only once the session that registered it has ended (signing out on a shared browser).
 */
const pushDeviceSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    // The session that registered it: pushes stop when that session ends (logout, password
    // change, ban), so a shared browser or a sold phone hears nothing more.
    sessionId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: PUSH_KINDS, required: true },
    // The endpoint URL (web) or the registration token (fcm): what identifies the device.
    address: { type: String, required: true },
    // Web push only: the browser's public key and auth secret, to encrypt for it.
    p256dh: { type: String },
    auth: { type: String },
    platform: { type: String, enum: ['web', 'android', 'ios', 'desktop'], default: 'web' },
    lastPushedAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);
pushDeviceSchema.index({ address: 1 }, { unique: true });
pushDeviceSchema.index({ userId: 1, updatedAt: -1 });

export type PushDeviceDoc = InferSchemaType<typeof pushDeviceSchema> & { _id: Types.ObjectId };
export const PushDevice = model('PushDevice', pushDeviceSchema);
