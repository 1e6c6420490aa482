import { Schema, model } from 'mongoose';

export const OAUTH_PROVIDERS = ['google', 'apple', 'facebook'] as const;
export type OAuthProvider = (typeof OAUTH_PROVIDERS)[number];

/** A provider account linked to a user: sign-in finds the user by (provider, subject), never by email. */
const oauthIdentitySchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    provider: { type: String, enum: OAUTH_PROVIDERS, required: true },
    subject: { type: String, required: true, maxlength: 255 },
    email: { type: String, maxlength: 254 },
    emailVerified: { type: Boolean, default: false },
    linkedAt: { type: Date, required: true },
    lastUsedAt: { type: Date },
  },
  { versionKey: false },
);

oauthIdentitySchema.index({ provider: 1, subject: 1 }, { unique: true });
// One account per provider per user.
oauthIdentitySchema.index({ userId: 1, provider: 1 }, { unique: true });

export const OAuthIdentity = model('OAuthIdentity', oauthIdentitySchema);
