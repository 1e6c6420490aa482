import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '../../../utils/app-error.js';
import { sha256 } from '../../../utils/crypto.js';

export interface IdTokenRules {
  jwksUrl: string;
  issuers: string[];
  audiences: string[];
  cacheMs: number;
  cooldownMs: number;
  timeoutMs: number;
}

export const invalidProviderToken = (reason: string) =>
  new AppError('INVALID_OAUTH_TOKEN', 'The sign-in token was not accepted', { reason });

export const providerUnavailable = () =>
  new AppError('OAUTH_PROVIDER_UNAVAILABLE', 'The sign-in provider could not be reached; try again shortly');

/** Why jose refused a token, as a stable reason a client (and a test) can read. */
function reasonOf(err: errors.JOSEError): string | null {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    const claim = { iss: 'issuer', aud: 'audience' }[err.claim];
    return claim ?? `claim_${err.claim}`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return 'unknown_key';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'algorithm';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JOSENotSupported) {
    return 'malformed';
  }
  return null; // the key set could not be fetched or read
}

/**
 * Verifies a provider's OpenID Connect ID token against its published keys. jose caches the
 * key set and refetches it when a token names a key id it has not seen (a rotation), at
 * most once per cool-down, so garbage key ids cannot make us hammer the provider.
 */
export class IdTokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly rules: IdTokenRules) {
    this.keys = createRemoteJWKSet(new URL(rules.jwksUrl), {
      cacheMaxAge: rules.cacheMs,
      cooldownDuration: rules.cooldownMs,
      timeoutDuration: rules.timeoutMs,
    });
  }

  async verify(token: string, nonce: string): Promise<JWTPayload & { sub: string; exp: number }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.rules.issuers,
        audience: this.rules.audiences,
        algorithms: ['RS256', 'ES256'],
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: 30,
      }));
    } catch (err) {
      const reason = err instanceof errors.JOSEError ? reasonOf(err) : null;
      throw reason ? invalidProviderToken(reason) : providerUnavailable();
    }
    // The client made the nonce and put it (or, as Apple's iOS SDK asks, its SHA-256) in the request.
    if (typeof payload.nonce !== 'string' || (payload.nonce !== nonce && payload.nonce !== sha256(nonce))) {
      throw invalidProviderToken('nonce');
    }
    return payload as JWTPayload & { sub: string; exp: number };
  }
}
