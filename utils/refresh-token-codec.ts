import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a refresh token names: its session, the session's owner, and its place in the session's rotation. */
export interface RefreshTokenClaims {
  sessionId: string;
  userId: string;
  generation: number;
}

const ID = /^[0-9a-f]{24}$/;
const GENERATION = /^(0|[1-9]\d{0,8})$/;
const SECRET = /^[A-Za-z0-9_-]{32}$/;
const MAC = /^[A-Za-z0-9_-]{22}$/;

/**
 * Refresh tokens `<session>.<user>.<generation>.<secret>.<mac>`. The session stores the
 * hash of its one current token and its generation, so a refresh is one conditional
 * write on the session. The MAC proves this server issued a token: a signed token that no
 * longer matches its session is a replay of an earlier one (or a theft), and ends the
 * session, while a made-up one cannot. The random secret means the key alone mints
 * nothing: the token must also match the hash the session holds.
 */
export class RefreshTokenCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'devtinder-refresh', 'refresh tokens v2', 32));
  }

  issue(claims: RefreshTokenClaims): string {
    const body = `${claims.sessionId}.${claims.userId}.${claims.generation}.${randomBytes(24).toString('base64url')}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The claims of a token issued here, or undefined for anything else. */
  open(token: string): RefreshTokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 5) return undefined;
    const [sessionId, userId, generation, secret, mac] = parts as [string, string, string, string, string];
    if (!ID.test(sessionId) || !ID.test(userId) || !GENERATION.test(generation) || !SECRET.test(secret) || !MAC.test(mac))
      return undefined;
    const expected = Buffer.from(this.mac(token.slice(0, token.length - mac.length - 1)));
    if (!timingSafeEqual(expected, Buffer.from(mac))) return undefined;
    return { sessionId, userId, generation: Number(generation) };
  }

  /** 128 bits of HMAC-SHA256 are plenty for a tag checked online. */
  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, 16).toString('base64url');
  }
}
