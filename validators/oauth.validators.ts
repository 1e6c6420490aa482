import { param } from 'express-validator';
import { OAUTH_PROVIDERS, type OAuthProvider } from '../models/oauth-identity.model.js';
import type { CompleteSignupInput } from '../services/auth/oauth/oauth.service.js';
import type { ProviderCredential } from '../services/auth/oauth/providers.js';
import { profileRules } from './auth.validators.js';
import { email, inputRules, opaqueToken, personName, requiredString } from './common.validators.js';

const idToken = requiredString('idToken')
  .isLength({ max: 8192 })
  .withMessage('is too long')
  .bail()
  .matches(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
  .withMessage('must be a JWT');

const nonce = requiredString('nonce')
  .matches(/^[\x21-\x7e]{16,256}$/)
  .withMessage('must be 16 to 256 printable characters');

/** Google: the ID token and the nonce the client put in its request. */
export const googleRules = inputRules<ProviderCredential>([idToken, nonce]);

/** Apple: the same, plus the name Apple hands the app once, on the first authorisation. */
export const appleRules = inputRules<ProviderCredential>([
  idToken,
  nonce,
  personName('firstName').optional(),
  personName('lastName').optional(),
]);

export const facebookRules = inputRules<ProviderCredential>([
  requiredString('accessToken')
    .matches(/^[A-Za-z0-9_.|-]{20,4096}$/)
    .withMessage('must be a Facebook access token'),
]);

/** A first social sign-in: the profile, and the names and email only where the provider gave none. */
export const completeSignupRules = inputRules<CompleteSignupInput>([
  opaqueToken('signupToken'),
  personName('firstName').optional(),
  personName('lastName').optional(),
  email('email').optional(),
  ...profileRules,
]);

export const providerParam = inputRules<{ provider: OAuthProvider }>([
  param('provider')
    .isIn(OAUTH_PROVIDERS)
    .withMessage(`must be one of ${OAUTH_PROVIDERS.join(', ')}`),
]);
