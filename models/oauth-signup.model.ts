import { Schema, model } from 'mongoose';
import { OAUTH_PROVIDERS } from './oauth-identity.model.js';

/**
 * A first social sign-in waiting for the profile fields the provider does not give. The
 * account is created from it (with the identity linked) when the client sends them.
 */
const oauthSignupSchema = new Schema(
  {
    tokenHash: { type: String, required: true },
    provider: { type: String, enum: OAUTH_PROVIDERS, required: true },
    subject: { type: String, required: true, maxlength: 255 },
    email: { type: String, maxlength: 254 },
    emailVerified: { type: Boolean, default: false },
    firstName: { type: String, maxlength: 50 },
    lastName: { type: String, maxlength: 50 },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);

oauthSignupSchema.index({ tokenHash: 1 }, { unique: true });
// A second first sign-in before completing replaces the first.
oauthSignupSchema.index({ provider: 1, subject: 1 }, { unique: true });
oauthSignupSchema.index({ expiresAt: 1 });

export const OAuthSignup = model('OAuthSignup', oauthSignupSchema);
