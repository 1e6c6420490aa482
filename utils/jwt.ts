import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export type Role = 'user' | 'moderator' | 'admin';

export interface AccessClaims {
  sub: string;
  role: Role;
  /** The session (refresh-token family) this access token belongs to. */
  sid: string;
  /** When the token stops working, in seconds since the epoch (set on verify). */
  exp?: number;
}

/** How many verified tokens are remembered (about 0.5 KiB each). */
const VERIFIED_KEPT = 2000;

export interface JwtSettings {
  secret: string;
  /** Secrets whose tokens are also accepted while a rotation runs; none is signed with. */
  acceptedSecrets?: readonly string[];
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/**
 * Signs and verifies access tokens. The secret is built once as a KeyObject:
 * jsonwebtoken re-derives a string secret on every call, which is far slower.
 * HS256 is pinned so `alg: none` or an RS/HS confusion can never verify.
 */
export class AccessTokens {
  private readonly key: KeyObject;
  private readonly acceptedKeys: KeyObject[];
  /**
   * Tokens verified lately and their claims: a client sends the same token with every request
   * for its life, and verifying one costs more than most requests. Only a token whose
   * signature checked gets in; its expiry is checked again on each use.
   */
  private readonly verified = new Map<string, Required<AccessClaims>>();

  constructor(private readonly settings: JwtSettings) {
    this.key = createSecretKey(Buffer.from(settings.secret, 'utf8'));
    this.acceptedKeys = (settings.acceptedSecrets ?? []).map((secret) => createSecretKey(Buffer.from(secret, 'utf8')));
  }

  sign(claims: AccessClaims): string {
    return jwt.sign({ role: claims.role, sid: claims.sid }, this.key, {
      algorithm: 'HS256',
      subject: claims.sub,
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      expiresIn: this.settings.ttlSeconds,
    });
  }

  /** Returns the claims, or null for anything not a valid, current token of ours. */
  verify(token: string): AccessClaims | null {
    const known = this.verified.get(token);
    if (known) {
      if (known.exp > Date.now() / 1000) return { ...known };
      this.verified.delete(token);
      return null;
    }
    const claims = this.check(token);
    if (claims) this.remember(token, claims);
    return claims && { ...claims };
  }

  private remember(token: string, claims: Required<AccessClaims>): void {
    // Oldest first out: a Map iterates in insertion order.
    if (this.verified.size >= VERIFIED_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
  }

  private check(token: string): Required<AccessClaims> | null {
    let payload: string | jwt.JwtPayload | undefined;
    for (const key of [this.key, ...this.acceptedKeys]) {
      try {
        payload = jwt.verify(token, key, {
          algorithms: ['HS256'],
          issuer: this.settings.issuer,
          audience: this.settings.audience,
        });
        break;
      } catch (err) {
        // Only a signature another key may have made is worth another try; an expired or
        // malformed token is refused whichever key signed it.
        if (!(err instanceof jwt.JsonWebTokenError) || err.message !== 'invalid signature') return null;
      }
    }
    if (payload === undefined || typeof payload === 'string') return null;
    const { sub, role, sid, exp } = payload as Record<string, unknown>;
    if (typeof sub !== 'string' || typeof sid !== 'string' || typeof exp !== 'number') return null;
    if (role !== 'user' && role !== 'moderator' && role !== 'admin') return null;
    return { sub, role, sid, exp };
  }
}
