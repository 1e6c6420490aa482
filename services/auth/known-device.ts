import { createHash } from 'node:crypto';
import { config } from '../../config/index.js';
import { CursorSeal } from '../../utils/cursor-seal.js';

/**
 * Known devices (OWASP's "device cookies"): a client that signed in to an identifier with its
 * password gets a sealed token naming that identifier. Failed sign-ins are counted per
 * identifier for every other client, but per token for one that presents it: whoever floods
 * someone's username with wrong passwords locks out strangers' clients, not the owner's own.
 * A token proves only that its holder knew the password once; it opens nothing by itself.
 */
const seal = new CursorSeal(config.auth.jwtSecret, config.auth.jwtAcceptedSecrets);
const PURPOSE = 'known-device';
export const KNOWN_DEVICE_COOKIE = 'known_device';
/** Only the sign-in reads it. */
export const KNOWN_DEVICE_COOKIE_PATH = '/api/v1/auth/login';
export const KNOWN_DEVICE_DAYS = 365;

/** An identifier as the sign-in limiters count it. */
export const normalIdentifier = (identifier: string) => identifier.trim().toLowerCase();

/** The token for a client that just signed in to `identifier` with the password. */
export function knownDeviceToken(identifier: string): string {
  return seal.seal(PURPOSE, { i: normalIdentifier(identifier) });
}

/** The failure counter of a client presenting a token for this very identifier; null for any other client. */
export function knownDeviceCounter(identifier: string, token: unknown): string | null {
  if (typeof token !== 'string' || token.length > 512) return null;
  const opened = seal.open(PURPOSE, token) as { i?: unknown } | undefined;
  if (!opened || opened.i !== normalIdentifier(identifier)) return null;
  return `known:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;
}
