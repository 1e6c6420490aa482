import { Schema, model } from 'mongoose';

/** ID tokens already used, kept until they expire, so a captured token cannot be replayed. */
const oauthNonceSchema = new Schema(
  {
    key: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);

oauthNonceSchema.index({ key: 1 }, { unique: true });
oauthNonceSchema.index({ expiresAt: 1 });

export const OAuthNonce = model('OAuthNonce', oauthNonceSchema);
