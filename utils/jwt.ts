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

export interface JwtSettings {
  secret: string;
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

  constructor(private readonly settings: JwtSettings) {
    this.key = createSecretKey(Buffer.from(settings.secret, 'utf8'));
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
    try {
      const payload = jwt.verify(token, this.key, {
        algorithms: ['HS256'],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
      });
      if (typeof payload === 'string') return null;
      const { sub, role, sid, exp } = payload as Record<string, unknown>;
      if (typeof sub !== 'string' || typeof sid !== 'string' || typeof exp !== 'number') return null;
      if (role !== 'user' && role !== 'moderator' && role !== 'admin') return null;
      return { sub, role, sid, exp };
    } catch {
      return null;
    }
  }
}
