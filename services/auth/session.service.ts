import { Types } from 'mongoose';
import { emitDomainEvent } from '../events.js';
import { config } from '../../config/index.js';
import { RefreshToken } from '../../models/refresh-token.model.js';
import { Session } from '../../models/session.model.js';
import { User } from '../../models/user.model.js';
import { AppError } from '../../utils/app-error.js';
import { sha256 } from '../../utils/crypto.js';
import { RefreshTokenCodec } from '../../utils/refresh-token-codec.js';
import { deviceOf } from '../../utils/device.js';
import type { Role } from '../../utils/jwt.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { revokeAccountTokens } from './account-token.service.js';
import { regionOf } from './geoip.service.js';
import { noteSessionEnded } from './session-revocations.js';

/** An ended session's access tokens stop working at once and its sockets close (every process). */
const sessionEnded = (sessionId: string): void => noteSessionEnded(sessionId);

export interface ClientInfo {
  userAgent?: string;
  ip?: string;
  /** The request signing in, for the audit trail (undefined outside a request). */
  requestId: string | undefined;
}

const refreshExpiry = () => new Date(Date.now() + config.auth.refreshTtlDays * 86_400_000);
const refreshTokens = new RefreshTokenCodec(config.auth.jwtSecret, config.auth.jwtAcceptedSecrets);

/** The role part of a new refresh token, unless the release still issues tokens without it. */
const carriedRole = (role: Role, checkedAt: number | undefined) =>
  config.auth.refreshCarriesRole ? { role, checkedAt } : { role: undefined, checkedAt: undefined };

export interface NewSession {
  sessionId: Types.ObjectId;
  refreshToken: string;
  /** Signed in before, but never on this device (or from this country): the owner should hear of it. */
  newDevice: boolean;
  deviceName: string;
  region?: string;
  ip?: string;
}

/** Starts a session (one device) for an owner of `role` and returns its first refresh token. */
export async function createSession(userId: Types.ObjectId, role: Role, client: ClientInfo): Promise<NewSession> {
  const now = new Date();
  const expiresAt = refreshExpiry();
  const userAgent = client.userAgent?.slice(0, 512);
  const ip = client.ip?.slice(0, 64);
  const where = await regionOf(ip);
  const device = deviceOf(userAgent, where.country);
  const key = device.key;
  const [seenDevice, seenAny] = await Promise.all([Session.exists({ userId, deviceKey: key }), Session.exists({ userId })]);
  const sessionId = new Types.ObjectId();
  const refreshToken = refreshTokens.issue({
    sessionId: String(sessionId),
    userId: String(userId),
    generation: 0,
    ...carriedRole(role, Math.floor(now.getTime() / 1000)),
  });
  await Session.create({
    _id: sessionId,
    userId,
    refreshHash: sha256(refreshToken),
    refreshGeneration: 0,
    userAgent,
    ip,
    deviceName: device.name,
    deviceType: device.type,
    deviceKey: key,
    country: where.country,
    region: where.label,
    lastUsedAt: now,
    authenticatedAt: now,
    expiresAt,
  });
  return {
    sessionId,
    refreshToken,
    newDevice: Boolean(seenAny) && !seenDevice,
    deviceName: device.name,
    region: where.label,
    ip,
  };
}

const invalidRefresh = () => new AppError('INVALID_REFRESH_TOKEN', 'Refresh token is invalid or expired');

type Rotated = { userId: Types.ObjectId; sessionId: Types.ObjectId; refreshToken: string; role: Role };

/** How long a refresh token's record of the owner's role and standing is trusted. */
const STANDING_TRUSTED_SECONDS = 3600;

/**
 * The owner's role if the account may still sign in, else null: read for a token that has
 * no role or whose record of it is over an hour old; on null the session ends.
 */
export type ReadSignInRole = (userId: Types.ObjectId) => Promise<Role | null>;

/**
 * Exchanges a refresh token for the next one of its session. Each token works once: one
 * conditional write on the session swaps the current token's hash for the next one's (and
 * slides the expiry). The token names the session, its owner and the owner's role as read
 * within the hour, so that write is the whole refresh: a ban, suspension, role change or
 * deletion ends the account's sessions, and the write then finds none; past the hour the
 * account is read again first. A token this server signed that no longer
 * matches its live session (a replay, or a thief racing the owner) revokes the session.
 */
export async function rotateRefreshToken(token: string, client: ClientInfo, readRole: ReadSignInRole): Promise<Rotated> {
  const claims = refreshTokens.open(token);
  if (!claims) return rotateLegacyRefreshToken(token, client, readRole);
  const now = new Date();
  const sessionId = new Types.ObjectId(claims.sessionId);
  const userId = new Types.ObjectId(claims.userId);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  // Trusted for an hour since the account was last read: a revocation lost to a failure
  // between a standing change and its session ends cannot outlive that.
  const fresh = claims.role !== undefined && nowSeconds - (claims.checkedAt ?? 0) < STANDING_TRUSTED_SECONDS;
  const role = fresh ? claims.role! : await roleForSession(sessionId, userId, readRole);
  const checkedAt = fresh ? claims.checkedAt : nowSeconds;
  const generation = claims.generation + 1;
  const refreshToken = refreshTokens.issue({ ...claims, generation, ...carriedRole(role, checkedAt) });
  // The driver directly (about 150 µs of CPU less than through Mongoose): every value is built
  // here, typed, so there is nothing to cast; the timestamp Mongoose would add is set by hand.
  const claimed = await Session.collection.updateOne(
    { _id: sessionId, userId, refreshHash: sha256(token), revokedAt: null, expiresAt: { $gt: now } },
    {
      $set: {
        refreshHash: sha256(refreshToken),
        refreshGeneration: generation,
        updatedAt: now,
        ...(await renewal(client, now)),
      },
    },
    // A place geoip cannot name leaves the stored one, as Mongoose dropped undefined fields.
    { ignoreUndefined: true },
  );
  if (claimed.matchedCount === 0) {
    const live = await Session.exists({ _id: sessionId, userId, revokedAt: null, expiresAt: { $gt: now } });
    if (live) await refreshTokenReused(sessionId, userId);
    throw invalidRefresh();
  }
  return { userId, sessionId, refreshToken, role };
}

/** The role for a session's next token, read from the account; an account that may not sign in ends the session. */
async function roleForSession(sessionId: Types.ObjectId, userId: Types.ObjectId, readRole: ReadSignInRole): Promise<Role> {
  const role = await readRole(userId);
  if (role) return role;
  await revokeSession(sessionId, 'account_unavailable');
  throw invalidRefresh();
}

/** What every refresh writes on its session: last use, the sliding expiry, and where from. */
async function renewal(client: ClientInfo, now: Date) {
  if (!client.ip) return { lastUsedAt: now, expiresAt: refreshExpiry() };
  const where = await regionOf(client.ip);
  return { lastUsedAt: now, expiresAt: refreshExpiry(), ip: client.ip.slice(0, 64), country: where.country, region: where.label };
}

async function refreshTokenReused(sessionId: Types.ObjectId, userId: Types.ObjectId): Promise<void> {
  await revokeSession(sessionId, 'refresh_token_reuse');
  logger.warn('refresh token reuse: session revoked', { sessionId: String(sessionId), userId: String(userId) });
}

/**
 * A token of the first format (one stored document per token): claimed once, and its
 * session moves to the current format. Goes once those tokens have expired.
 */
async function rotateLegacyRefreshToken(token: string, client: ClientInfo, readRole: ReadSignInRole): Promise<Rotated> {
  const tokenHash = sha256(token);
  const now = new Date();
  const claimed = await RefreshToken.findOneAndUpdate(
    { tokenHash, usedAt: null },
    { $set: { usedAt: now } },
    { returnDocument: 'before' },
  ).lean();
  if (!claimed) {
    const existing = await RefreshToken.findOne({ tokenHash }, { sessionId: 1, userId: 1 }).lean();
    if (existing) await refreshTokenReused(existing.sessionId, existing.userId);
    throw invalidRefresh();
  }
  if (claimed.expiresAt <= now) throw invalidRefresh();
  const { sessionId, userId } = claimed;
  const role = await roleForSession(sessionId, userId, readRole);
  const refreshToken = refreshTokens.issue({
    sessionId: String(sessionId),
    userId: String(userId),
    generation: 1,
    ...carriedRole(role, Math.floor(now.getTime() / 1000)),
  });
  const touched = await Session.updateOne(
    // Only a session still on the first format: a token of it never overwrites a current one.
    { _id: sessionId, userId, refreshHash: { $exists: false }, revokedAt: null, expiresAt: { $gt: now } },
    { $set: { refreshHash: sha256(refreshToken), refreshGeneration: 1, ...(await renewal(client, now)) } },
  );
  if (touched.matchedCount === 0) throw invalidRefresh();
  return { userId, sessionId, refreshToken, role };
}

export async function revokeSession(sessionId: Types.ObjectId | string, reason: string): Promise<void> {
  await Session.updateOne({ _id: sessionId, revokedAt: null }, { $set: { revokedAt: new Date(), revokedReason: reason } });
  sessionEnded(String(sessionId));
}

const SESSIONS_LISTED = 100;

/** The user's live sessions, most recently used first (the newest hundred: older ones are still live, just not listed). */
export async function listSessions(userId: string, currentSessionId: string | undefined) {
  const now = new Date();
  const sessions = await Session.find(
    { userId, revokedAt: null },
    { deviceName: 1, deviceType: 1, ip: 1, country: 1, region: 1, createdAt: 1, lastUsedAt: 1, expiresAt: 1 },
  )
    .sort({ lastUsedAt: -1 })
    .limit(SESSIONS_LISTED)
    .lean();
  return sessions
    .filter((s) => s.expiresAt > now)
    .map((s) => ({
      id: String(s._id),
      deviceName: s.deviceName ?? 'Unknown device',
      deviceType: s.deviceType ?? 'unknown',
      ip: s.ip ?? null,
      country: s.country ?? null,
      region: s.region ?? null,
      createdAt: s.createdAt,
      lastUsedAt: s.lastUsedAt,
      current: String(s._id) === currentSessionId,
    }));
}

/**
 * Ends one of the user's own sessions: its refresh tokens stop working at once and its
 * sockets are closed. Someone else's session answers as a missing one.
 */
export async function endSession(userId: string, sessionId: string) {
  const ended = await Session.findOneAndUpdate(
    { _id: sessionId, userId, revokedAt: null, expiresAt: { $gt: new Date() } },
    { $set: { revokedAt: new Date(), revokedReason: 'ended_by_user' } },
  ).lean();
  if (!ended) throw new AppError('NOT_FOUND', 'Session not found');
  sessionEnded(sessionId);
  return { deviceName: ended.deviceName ?? 'Unknown device', region: ended.region ?? null, ip: ended.ip ?? null };
}

/**
 * Revokes every session of a user, optionally keeping one (the caller's own). The account's
 * sessionEpoch goes up first: a sign-in that read the account before and creates its
 * session after this scan sees the change when it checks again (recheckStanding). A pending
 * change of address goes too, even one the kept session asked for: whatever ends sessions
 * (signing out everywhere, a password change, a suspension) is the account taken back.
 */
export async function revokeUserSessions(userId: Types.ObjectId | string, reason: string, keep?: string): Promise<number> {
  await User.updateOne({ _id: userId }, { $inc: { sessionEpoch: 1 } }, { timestamps: false });
  await revokeAccountTokens(new Types.ObjectId(String(userId)), 'change_email');
  const filter: Record<string, unknown> = { userId, revokedAt: null };
  if (keep) filter._id = { $ne: new Types.ObjectId(keep) };
  const live = await Session.find(filter, { _id: 1 }).lean();
  const res = await Session.updateMany(filter, { $set: { revokedAt: new Date(), revokedReason: reason } });
  for (const { _id } of live) sessionEnded(String(_id));
  // Calls and match end at once; a failure there must not fail the revocation already stored.
  if (!keep)
    await emitDomainEvent('sessions.ended', { userId: String(userId) }).catch((err: unknown) =>
      logger.error('ending the live activity of ended sessions failed', { userId: String(userId), error: errorMessage(err) }),
    );
  return res.modifiedCount;
}

const reauthenticationRequired = () =>
  new AppError('REAUTHENTICATION_REQUIRED', 'Confirm your password or sign in again to change how you sign in');

/**
 * Changes to how an account signs in need a recent proof of identity in this session
 * (config.auth.recentAuthMinutes): a token stolen from a device left signed in cannot
 * add the thief's own way in.
 */
export async function assertRecentlyAuthenticated(userId: string, sessionId: string): Promise<void> {
  const session = await Session.findOne({ _id: sessionId, userId, revokedAt: null }, { authenticatedAt: 1, createdAt: 1 }).lean();
  const at = session?.authenticatedAt ?? session?.createdAt;
  if (!at || Date.now() - at.getTime() > config.auth.recentAuthMinutes * 60_000) throw reauthenticationRequired();
}

/** The person proved who they are again in this session. */
export async function markAuthenticated(userId: string, sessionId: string): Promise<void> {
  const res = await Session.updateOne({ _id: sessionId, userId, revokedAt: null }, { $set: { authenticatedAt: new Date() } });
  if (res.matchedCount === 0) throw new AppError('INVALID_TOKEN', 'This session has ended');
}

/** The session a refresh token belongs to, whether or not the token was used. */
export async function findSessionIdByRefreshToken(token: string): Promise<Types.ObjectId | string | null> {
  const claims = refreshTokens.open(token);
  if (claims) return claims.sessionId;
  const found = await RefreshToken.findOne({ tokenHash: sha256(token) }, { sessionId: 1 }).lean();
  return found?.sessionId ?? null;
}

/** Expired tokens and sessions are deleted by a job (no TTL indexes on FerretDB). */
export async function deleteExpiredSessions(now = new Date()): Promise<number> {
  const tokens = await RefreshToken.deleteMany({ expiresAt: { $lt: now } });
  const sessions = await Session.deleteMany({ expiresAt: { $lt: now } });
  return tokens.deletedCount + sessions.deletedCount;
}
