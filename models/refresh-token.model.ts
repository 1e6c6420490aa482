import { Schema, model } from 'mongoose';

/**
 * Refresh tokens of the first format (random, one document each), stored as their hash.
 * Sessions now hold their current token themselves (session.service); these are still
 * honoured once each, so a deploy signs no one out, and expire with their sessions.
 * Nothing writes here any more: remove with the legacy path once the last has expired.
 */
const refreshTokenSchema = new Schema(
  {
    tokenHash: { type: String, required: true },
    sessionId: { type: Schema.Types.ObjectId, ref: 'Session', required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

refreshTokenSchema.index({ tokenHash: 1 }, { unique: true });
refreshTokenSchema.index({ sessionId: 1 });
refreshTokenSchema.index({ expiresAt: 1 });

export const RefreshToken = model('RefreshToken', refreshTokenSchema);
