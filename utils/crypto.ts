import { createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** URL-safe random secret with 256 bits of entropy. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** Secrets are stored as their SHA-256: a database leak does not leak usable tokens. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * One key for `purpose` from each secret: the signing secret's first, then those also accepted
 * while a rotation runs (JWT_ACCEPTED_SECRETS). Each purpose gets keys of its own.
 */
export const derivedKeys = (secrets: readonly string[], salt: string, purpose: string): Buffer[] =>
  secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, salt, purpose, 32)));
