import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

export const PUSH_KINDS = ['web', 'fcm'] as const;
export type PushKind = (typeof PUSH_KINDS)[number];

/**
 * A device that takes push: a browser's web push subscription (its push service endpoint and
 * keys) or an app's Firebase token. One owner per device: the last account to register it
 * (a shared browser follows whoever signed in last).
 */
const pushDeviceSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
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
pushDeviceSchema.index({ userId: 1, createdAt: -1 });

export type PushDeviceDoc = InferSchemaType<typeof pushDeviceSchema> & { _id: Types.ObjectId };
export const PushDevice = model('PushDevice', pushDeviceSchema);
