import { Router } from 'express';
import * as oauth from '../controllers/oauth.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import type { OAuthProvider } from '../models/oauth-identity.model.js';
import * as rules from '../validators/oauth.validators.js';

const credentialRules: Record<OAuthProvider, typeof rules.googleRules> = {
  google: rules.googleRules,
  apple: rules.appleRules,
  facebook: rules.facebookRules,
};

export function oauthRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.get('/', authenticate, oauth.listMethods);
  router.get('/providers', oauth.webProviders);
  router.post('/complete', limit.signupPerIp, validate(rules.completeSignupRules), oauth.completeSignup);
  for (const [provider, chains] of Object.entries(credentialRules) as [OAuthProvider, typeof rules.googleRules][]) {
    // Refused tokens count against the address like failed password logins.
    router.post(`/${provider}`, validate(chains), limit.action('signIn'), limit.loginPerIp, oauth.signIn(provider));
    router.post(`/${provider}/link`, authenticate, validate(chains), oauth.link(provider));
  }
  router.delete('/:provider', authenticate, validate(rules.providerParam), oauth.unlink);
  return router;
}
