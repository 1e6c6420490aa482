import { randomBytes } from 'node:crypto';
import { config } from '../../config/index.js';
import { User } from '../../models/user.model.js';
import { CursorSeal } from '../../utils/cursor-seal.js';

/**
 * Known devices (OWASP's "device cookies"): a client that signed in to an identifier with its
 * password gets a sealed token naming that identifier, the account and its password's date.
 * Failed sign-ins are counted per identifier for every other client, but per token for one
 * that presents it: whoever floods someone's username with wrong passwords locks out
 * strangers' clients, not the owner's own. A token opens nothing by itself; it dies with a
 * new password (a reset or a change), with the account, and after KNOWN_DEVICE_DAYS.
 */
const seal = new CursorSeal(config.auth.jwtSecret, config.auth.jwtAcceptedSecrets);
const PURPOSE = 'known-device';
export const KNOWN_DEVICE_COOKIE = 'known_device';
/** Only the sign-in reads it. */
export const KNOWN_DEVICE_COOKIE_PATH = '/api/v1/auth/login';
export const KNOWN_DEVICE_DAYS = 365;
// What seal() writes, and nothing else: no variant spelling of one token opens as another.
const TOKEN = /^[A-Za-z0-9_-]{40,512}$/;

interface Sealed {
  /** The identifier signed in with, as the limiter counts it. */
  i: string;
  /** The device's own counter: one per token, whatever its spelling. */
  n: string;
  u: string;
  /** The password's date (ms): a new password ends every known device. */
  p: number;
  /** Until when (ms). */
  e: number;
}

/** An identifier as the sign-in limiters count it. */
export const normalIdentifier = (identifier: string) => identifier.trim().toLowerCase();

const accountOf = (identifier: string) =>
  User.findOne(identifier.includes('@') ? { email: identifier } : { username: identifier }, { passwordChangedAt: 1 }).lean();

/** The token for a client that just signed in to `identifier` with the password; null if the account moved meanwhile. */
export async function knownDeviceToken(identifier: string): Promise<string | null> {
  const i = normalIdentifier(identifier);
  const user = await accountOf(i);
  if (!user) return null;
  const sealed: Sealed = {
    i,
    n: randomBytes(16).toString('base64url'),
    u: String(user._id),
    p: user.passwordChangedAt?.getTime() ?? 0,
    e: Date.now() + KNOWN_DEVICE_DAYS * 86_400_000,
  };
  return seal.seal(PURPOSE, sealed);
}

/**
 * The failure counter of a client presenting a live token for this very identifier's
 * account and password; null for any other client (then the identifier's counter applies).
 */
export async function knownDeviceCounter(identifier: string, token: unknown): Promise<string | null> {
  if (typeof token !== 'string' || !TOKEN.test(token)) return null;
  const t = seal.open(PURPOSE, token) as Partial<Sealed> | undefined;
  const i = normalIdentifier(identifier);
  if (!t || t.i !== i || typeof t.n !== 'string' || typeof t.e !== 'number' || t.e < Date.now()) return null;
  const user = await accountOf(i);
  if (!user || String(user._id) !== t.u || (user.passwordChangedAt?.getTime() ?? 0) !== t.p) return null;
  return `known:${t.n}`;
}
