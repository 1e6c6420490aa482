import { Schema, model } from 'mongoose';

/** One signed-in device: a family of rotating refresh tokens. */
const sessionSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    userAgent: { type: String, maxlength: 512 },
    ip: { type: String, maxlength: 64 },
    // From the user agent and the IP when the session starts (and the IP at each refresh).
    deviceName: { type: String, maxlength: 120 },
    deviceType: { type: String, maxlength: 20 },
    deviceKey: { type: String, maxlength: 40 },
    country: { type: String, maxlength: 2 },
    region: { type: String, maxlength: 120 },
    lastUsedAt: { type: Date, required: true },
    // When the person last proved who they are in this session (sign-in or re-authentication).
    authenticatedAt: { type: Date },
    expiresAt: { type: Date, required: true },
    // The hash of the one refresh token that works now, and how many came before it.
    refreshHash: { type: String },
    refreshGeneration: { type: Number, default: 0 },
    revokedAt: { type: Date, default: null },
    revokedReason: { type: String, default: null },
  },
  { timestamps: true },
);

sessionSchema.index({ userId: 1 });
// "Has this user signed in on this device before?" at each sign-in.
sessionSchema.index({ userId: 1, deviceKey: 1 });
sessionSchema.index({ expiresAt: 1 });

export const Session = model('Session', sessionSchema);
