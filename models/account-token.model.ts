import { Schema, model } from 'mongoose';

export const ACCOUNT_TOKEN_PURPOSES = ['verify_email', 'reset_password', 'change_email'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/** Single-use, expiring tokens sent by email (verification, password reset, a new address), stored hashed. */
const accountTokenSchema = new Schema(
  {
    tokenHash: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    purpose: { type: String, enum: ACCOUNT_TOKEN_PURPOSES, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    // change_email: the address the link confirms, the session that asked for it (the link
    // dies with it: a password reset, a password change elsewhere, signing out everywhere) and
    // the account's sessionEpoch then (which those raise: a plain sign-out of the asking
    // session keeps the link, and a later recovery still voids it).
    newEmail: { type: String },
    sessionId: { type: Schema.Types.ObjectId },
    sessionEpoch: { type: Number },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

accountTokenSchema.index({ tokenHash: 1 }, { unique: true });
accountTokenSchema.index({ userId: 1, purpose: 1 });
accountTokenSchema.index({ expiresAt: 1 });

export const AccountToken = model('AccountToken', accountTokenSchema);
