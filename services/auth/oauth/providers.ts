import { config } from '../../../config/index.js';
import type { OAuthProvider } from '../../../models/oauth-identity.model.js';
import { AppError } from '../../../utils/app-error.js';
import { sha256 } from '../../../utils/crypto.js';
import { cleanText, INVISIBLE, MARKUP, normaliseIdentifier } from '../../../utils/text.js';
import { facebookProfile } from './facebook.graph.js';
import { IdTokenVerifier } from './id-token.verifier.js';

/** What a provider vouches for about the person signing in. */
export interface ProviderProfile {
  provider: OAuthProvider;
  subject: string;
  email?: string;
  /** The provider says the person controls this address. */
  emailVerified: boolean;
  /** An Apple "Hide My Email" relay address: a per-app alias, not the person's own address. */
  privateRelay: boolean;
  firstName?: string;
  lastName?: string;
  /** For single-use ID tokens: remembered until they expire, so a replay is refused. */
  replay?: { key: string; expiresAt: Date };
}

export interface ProviderCredential {
  idToken?: string;
  nonce?: string;
  accessToken?: string;
  // Apple gives the name to the app once, not in the token, so the app passes it along.
  firstName?: string;
  lastName?: string;
}

const claimTrue = (value: unknown) => value === true || value === 'true';
/**
 * An address as our own rules would take it; anything else is asked of the person instead. The
 * domain is plain (no '_', not .invalid): a deleted account's placeholder must stay untakeable.
 */
function emailOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const email = normaliseIdentifier(value);
  if (INVISIBLE.test(email)) return undefined;
  const at = email.lastIndexOf('@');
  const domain = email.slice(at + 1);
  return at > 0 && /^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u.test(domain) && !domain.endsWith('.invalid') ? email : undefined;
}
/** A name as our signup rules take it; anything else is asked of the person instead. */
function nameOf(value: unknown): string | undefined {
  const name = typeof value === 'string' ? cleanText(value).slice(0, 50) : '';
  return name && !MARKUP.test(name) ? name : undefined;
}

const verifierFor = (settings: { clientIds: string[]; jwksUrl: string; issuers: string[] }) =>
  settings.clientIds.length
    ? new IdTokenVerifier({
        jwksUrl: settings.jwksUrl,
        issuers: settings.issuers,
        audiences: settings.clientIds,
        cacheMs: config.oauth.jwksCacheMs,
        cooldownMs: config.oauth.jwksCooldownMs,
        timeoutMs: config.oauth.httpTimeoutMs,
      })
    : null;

const verifiers = { google: verifierFor(config.oauth.google), apple: verifierFor(config.oauth.apple) };

const notEnabled = (provider: string) =>
  new AppError('PROVIDER_NOT_ENABLED', `Sign-in with ${provider} is not enabled on this server`);

async function fromIdToken(provider: 'google' | 'apple', credential: ProviderCredential): Promise<ProviderProfile> {
  const verifier = verifiers[provider];
  if (!verifier) throw notEnabled(provider);
  const claims = await verifier.verify(credential.idToken!, credential.nonce!);
  const email = emailOf(claims.email);
  return {
    provider,
    subject: claims.sub,
    email,
    emailVerified: Boolean(email) && claimTrue(claims.email_verified),
    privateRelay:
      provider === 'apple' && (claimTrue(claims.is_private_email) || /@privaterelay\.appleid\.com$/.test(email ?? '')),
    firstName: provider === 'google' ? nameOf(claims.given_name) : nameOf(credential.firstName),
    lastName: provider === 'google' ? nameOf(claims.family_name) : nameOf(credential.lastName),
    replay: { key: `${provider}:${sha256(credential.idToken!)}`, expiresAt: new Date(claims.exp * 1000) },
  };
}

async function fromFacebook(credential: ProviderCredential): Promise<ProviderProfile> {
  const { appId, appSecret, graphUrl } = config.oauth.facebook;
  if (!appId || !appSecret) throw notEnabled('facebook');
  const me = await facebookProfile(
    { appId, appSecret, graphUrl, timeoutMs: config.oauth.httpTimeoutMs },
    credential.accessToken!,
  );
  return {
    provider: 'facebook',
    subject: me.id!,
    email: emailOf(me.email),
    // Facebook does not say whether the person proved the address: never treated as verified.
    emailVerified: false,
    privateRelay: false,
    firstName: nameOf(me.first_name),
    lastName: nameOf(me.last_name),
  };
}

/** Checks a credential with its provider and returns who it names. */
export function identify(provider: OAuthProvider, credential: ProviderCredential): Promise<ProviderProfile> {
  return provider === 'facebook' ? fromFacebook(credential) : fromIdToken(provider, credential);
}
