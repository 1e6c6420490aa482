import { createHmac, randomBytes } from 'node:crypto';
import { derivedKeys, safeEqual } from './crypto.js';
import type { Role } from './jwt.js';

/** What a refresh token names: its session, the session's owner, and its place in the session's rotation. */
export interface RefreshTokenClaims {
  sessionId: string;
  userId: string;
  generation: number;
  /**
   * The owner's role, read from the account at `checkedAt` (both absent from tokens issued
   * before roles were carried). Every change of role or standing ends the account's
   * sessions, so until the next check a refresh needs no read of the account.
   */
  role?: Role;
  /** When the account's role and standing were last read, in seconds since the epoch. */
  checkedAt?: number;
}

/** `<role>-<checked at, base 36 seconds>`. */
const ROLE_PART = /^(user|moderator|admin)-([0-9a-z]{1,8})$/;

const ID = /^[0-9a-f]{24}$/;
const GENERATION = /^(0|[1-9]\d{0,8})$/;
const SECRET = /^[A-Za-z0-9_-]{32}$/;
const MAC = /^[A-Za-z0-9_-]{22}$/;

/**
 * Refresh tokens `<session>.<user>.<generation>.<role>-<checked>.<secret>.<mac>` (earlier
 * ones have no role part and are still read). The session stores the
 * hash of its one current token and its generation, so a refresh is one conditional
 * write on the session. The MAC proves this server issued a token: a signed token that no
 * longer matches its session is a replay of an earlier one (or a theft), and ends the
 * session, while a made-up one cannot. The random secret means the key alone mints
 * nothing: the token must also match the hash the session holds. A token signed with a
 * secret accepted during a rotation is read too; the refresh issues one with the current.
 */
export class RefreshTokenCodec {
  private readonly keys: Buffer[];

  constructor(secret: string, acceptedSecrets: readonly string[] = []) {
    this.keys = derivedKeys([secret, ...acceptedSecrets], 'devtinder-refresh', 'refresh tokens v2');
  }

  issue(claims: RefreshTokenClaims): string {
    const role = claims.role ? `.${claims.role}-${(claims.checkedAt ?? 0).toString(36)}` : '';
    const body = `${claims.sessionId}.${claims.userId}.${claims.generation}${role}.${randomBytes(24).toString('base64url')}`;
    return `${body}.${this.mac(this.keys[0]!, body)}`;
  }

  /** The claims of a token issued here, or undefined for anything else. */
  open(token: string): RefreshTokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 5 && parts.length !== 6) return undefined;
    const [sessionId, userId, generation] = parts as [string, string, string];
    const [secret, mac] = parts.slice(-2) as [string, string];
    const checked = parts.length === 6 ? ROLE_PART.exec(parts[3]!) : undefined;
    if (!ID.test(sessionId) || !ID.test(userId) || !GENERATION.test(generation) || !SECRET.test(secret) || !MAC.test(mac))
      return undefined;
    if (checked === null) return undefined;
    const body = token.slice(0, token.length - mac.length - 1);
    if (!this.keys.some((key) => safeEqual(mac, this.mac(key, body)))) return undefined;
    const role = checked && { role: checked[1] as Role, checkedAt: parseInt(checked[2]!, 36) };
    return { sessionId, userId, generation: Number(generation), ...role };
  }

  /** 128 bits of HMAC-SHA256 are plenty for a tag checked online. */
  private mac(key: Buffer, body: string): string {
    return createHmac('sha256', key).update(body).digest().subarray(0, 16).toString('base64url');
  }
}
