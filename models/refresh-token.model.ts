import { Schema, model } from 'mongoose';

/**
 * Each refresh token ever issued, stored as its hash. A token is used once; presenting
 * a used one means it was stolen or replayed, and its whole session is revoked.
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
