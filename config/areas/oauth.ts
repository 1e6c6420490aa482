import { z } from 'zod';
import { baseUrl, csv, defineArea, int, splitList } from '../env-rules.js';

/** Sign-in with other providers; one with no client ids (or app keys) is off. */
export const oauth = defineArea({
  vars: {
    GOOGLE_CLIENT_IDS: csv,
    // The web app's own client id (Google Identity Services button); default the first of GOOGLE_CLIENT_IDS.
    GOOGLE_WEB_CLIENT_ID: z.string().min(1).optional(),
    GOOGLE_JWKS_URL: z.url().default('https://www.googleapis.com/oauth2/v3/certs'),
    GOOGLE_ISSUERS: z.string().default('https://accounts.google.com,accounts.google.com'),
    APPLE_CLIENT_IDS: csv,
    APPLE_JWKS_URL: z.url().default('https://appleid.apple.com/auth/keys'),
    APPLE_ISSUER: z.string().min(1).default('https://appleid.apple.com'),
    FACEBOOK_APP_ID: z.string().min(1).optional(),
    FACEBOOK_APP_SECRET: z.string().min(8).optional(),
    FACEBOOK_GRAPH_URL: baseUrl('https://graph.facebook.com/v19.0'),
    OAUTH_JWKS_CACHE_MINUTES: int(60, 1, 1440),
    OAUTH_JWKS_COOLDOWN_SECONDS: int(30, 0, 3600),
    OAUTH_HTTP_TIMEOUT_MS: int(5000, 100, 60_000),
    OAUTH_SIGNUP_TTL_MINUTES: int(30, 5, 1440),
  },
  check: (e) =>
    Boolean(e.FACEBOOK_APP_ID) !== Boolean(e.FACEBOOK_APP_SECRET)
      ? ['FACEBOOK_APP_ID, FACEBOOK_APP_SECRET: set both or neither']
      : [],
  settings: (e) => ({
    oauth: {
      google: {
        webClientId: e.GOOGLE_WEB_CLIENT_ID ?? e.GOOGLE_CLIENT_IDS[0],
        clientIds: e.GOOGLE_CLIENT_IDS,
        jwksUrl: e.GOOGLE_JWKS_URL,
        issuers: splitList(e.GOOGLE_ISSUERS),
      },
      apple: { clientIds: e.APPLE_CLIENT_IDS, jwksUrl: e.APPLE_JWKS_URL, issuers: [e.APPLE_ISSUER] },
      facebook: { appId: e.FACEBOOK_APP_ID, appSecret: e.FACEBOOK_APP_SECRET, graphUrl: e.FACEBOOK_GRAPH_URL },
      jwksCacheMs: e.OAUTH_JWKS_CACHE_MINUTES * 60_000,
      jwksCooldownMs: e.OAUTH_JWKS_COOLDOWN_SECONDS * 1000,
      httpTimeoutMs: e.OAUTH_HTTP_TIMEOUT_MS,
      signupTtlMs: e.OAUTH_SIGNUP_TTL_MINUTES * 60_000,
    },
  }),
});
