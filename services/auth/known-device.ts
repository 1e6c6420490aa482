import { normaliseIdentifier } from '../../utils/text.js';
import { createHash, randomBytes } from 'node:crypto';
import { config } from '../../config/index.js';
import { User } from '../../models/user.model.js';
import { CursorSeal } from '../../utils/cursor-seal.js';

/**
 * Known devices (OWASP's "device cookies"): a client that signed in to an account with its
 * password gets a sealed token naming the account and its password's date. Failed sign-ins
 * are counted per identifier and per account for every other client, but per token for one that presents it
 * for that identifier's account: whoever floods someone's username with wrong passwords
 * locks out strangers' clients, not the owner's own. A token opens nothing by itself; it
 * dies with a new password (a reset or a change), with the account, and after
 * KNOWN_DEVICE_DAYS.
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
  /** The device's own counter: one per token, whatever its spelling. */
  n: string;
  /** The account. */
  u: string;
  /** The password's date (ms): a new password ends every known device. */
  p: number;
  /** Until when (ms). */
  e: number;
  /** When it was issued (ms); tokens from before it was sealed keep no place in the kept lane. */
  i?: number;
  /** Short hashes of the account's username and address then: a full line's early check needs no read. */
  h?: string[];
  /** The account's creation (ms) and whether its address was verified, then (the same check's). */
  c?: number;
  v?: boolean;
}

/** What the token is sealed from: the account whose password the sign-in just checked, as it read it. */
export interface SignedInAccount {
  _id: unknown;
  passwordChangedAt?: Date | null;
  username?: string | null;
  email?: string | null;
  emailVerified?: boolean | null;
  createdAt?: Date | null;
}

// Enough to tell one identifier from another in a token (sealed: nobody reads it out).
const identifierHash = (identifier: string) =>
  createHash('sha256').update(normaliseIdentifier(identifier)).digest('base64url').slice(0, 12);

/** The token for a client that just signed in to `account` with its password. */
export function knownDeviceToken(account: SignedInAccount): string {
  const sealed: Sealed = {
    n: randomBytes(16).toString('base64url'),
    u: String(account._id),
    p: account.passwordChangedAt?.getTime() ?? 0,
    e: Date.now() + KNOWN_DEVICE_DAYS * 86_400_000,
    i: Date.now(),
    h: [account.username, account.email].filter((x): x is string => Boolean(x)).map(identifierHash),
    c: account.createdAt?.getTime() ?? Date.now(),
    v: Boolean(account.emailVerified),
  };
  return seal.seal(PURPOSE, sealed);
}

/** A shared browser keeps the tokens of the last few accounts signed in on it, newest first, in one cookie. */
export const KNOWN_DEVICE_COOKIE_MAX = 5;

/** A live token's content; null for a dead or unopenable one. */
function openToken(token: string): Sealed | null {
  const t = seal.open(PURPOSE, token) as Partial<Sealed> | undefined;
  const whole =
    t &&
    typeof t.n === 'string' &&
    typeof t.u === 'string' &&
    typeof t.p === 'number' &&
    typeof t.e === 'number' &&
    (t.i === undefined || typeof t.i === 'number') &&
    (t.h === undefined || (Array.isArray(t.h) && t.h.every((x) => typeof x === 'string'))) &&
    (t.c === undefined || typeof t.c === 'number') &&
    (t.v === undefined || typeof t.v === 'boolean');
  return whole && t.e! >= Date.now() ? (t as Sealed) : null;
}

/** What a client presents: one token (an app's) or a cookie's list joined by dots; nothing if any part is misspelled. */
function presentedTokens(presented: unknown): Sealed[] {
  if (typeof presented !== 'string') return [];
  const parts = presented.split('.');
  if (parts.length > KNOWN_DEVICE_COOKIE_MAX || !parts.every((p) => TOKEN.test(p))) return [];
  return parts.map(openToken).filter((t) => t !== null);
}

/**
 * The failure counters a sign-in attempt counts against: its own (a client presenting a live
 * token for the account this identifier names, with its current password, has one of its own;
 * any other, the identifier's) and, but for such a client, the account's, which its username
 * and its address share (none for an identifier of no account). One read either way, so an
 * unknown account takes as long.
 */
export async function loginFailureCounters(
  identifier: string,
  presented: unknown,
): Promise<{ own: string; account: string | null }> {
  const id = normaliseIdentifier(identifier);
  const user = await User.findOne(id.includes('@') ? { email: id } : { username: id }, { passwordChangedAt: 1 }).lean();
  if (!user) return { own: `id:${id}`, account: null };
  const t = tokenFor(presentedTokens(presented), user);
  return t ? { own: `known:${t.n}`, account: null } : { own: `id:${id}`, account: `account:${String(user._id)}` };
}

const tokenFor = (tokens: Sealed[], account: SignedInAccount) =>
  tokens.find((t) => t.u === String(account._id) && t.p === (account.passwordChangedAt?.getTime() ?? 0));

/**
 * A device known for this long may wait in the kept lane of a full password line: not one
 * signed in during the flood (an attacker's own accounts signed in for the purpose), but
 * the owner's phone from yesterday; and only for an account with a verified address or a
 * month old (a flood prepared with a day-old token for each of many fresh accounts keeps no place).
 */
const KEPT_LANE_AFTER_MS = 86_400_000;
const ESTABLISHED_AFTER_MS = 30 * 86_400_000;
const knownLongEnough = (t: Sealed) => t.i !== undefined && t.i <= Date.now() - KEPT_LANE_AFTER_MS;
const isEstablished = (verified: boolean | null | undefined, createdAt: number | undefined) =>
  Boolean(verified) || (createdAt !== undefined && createdAt <= Date.now() - ESTABLISHED_AFTER_MS);

/**
 * Whether a client presents a token for this account with its current password, known for a
 * day, the account established (as it is now) (the kept lane).
 */
export const keptLaneFor = (presented: unknown, account: SignedInAccount): boolean => {
  const t = tokenFor(presentedTokens(presented), account);
  return t !== undefined && knownLongEnough(t) && isEstablished(account.emailVerified, account.createdAt?.getTime());
};

/**
 * Whether a client presents a live token known for a day, sealed for the identifier it signs in
 * with and an established account then: the early check of a full line, without a read (the
 * sign-in's check confirms it against the account).
 */
export const presentsKeptLaneToken = (presented: unknown, identifier: unknown): boolean => {
  if (typeof identifier !== 'string') return false;
  const hash = identifierHash(identifier);
  return presentedTokens(presented).some((t) => knownLongEnough(t) && t.h?.includes(hash) && isEstablished(t.v, t.c));
};

/** The token a client presents: the body's deviceToken (apps), else its cookie (web). */
export const presentedDeviceToken = (body: unknown, cookies: unknown): unknown =>
  (body as Record<string, unknown> | undefined)?.deviceToken ??
  (cookies as Record<string, unknown> | undefined)?.[KNOWN_DEVICE_COOKIE];

/** A browser's cookie after a sign-in to `accountId`: its new token first, then the live ones of other accounts it kept. */
export function knownDeviceCookieValue(token: string, accountId: string, kept: unknown): string {
  const others =
    typeof kept === 'string' ? kept.split('.').filter((p) => TOKEN.test(p) && (openToken(p)?.u ?? accountId) !== accountId) : [];
  return [token, ...others].slice(0, KNOWN_DEVICE_COOKIE_MAX).join('.');
}
