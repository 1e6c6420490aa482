import { Types } from 'mongoose';
import { config } from '../config/index.js';
import { RefreshToken } from '../models/refresh-token.model.js';
import { Session } from '../models/session.model.js';
import { AppError } from '../utils/app-error.js';
import { randomToken, sha256 } from '../utils/crypto.js';
import { logger } from '../utils/logger.js';

export interface ClientInfo {
  userAgent?: string;
  ip?: string;
}

const refreshExpiry = () => new Date(Date.now() + config.auth.refreshTtlDays * 86_400_000);

async function issueRefreshToken(sessionId: Types.ObjectId, userId: Types.ObjectId, expiresAt: Date): Promise<string> {
  const token = randomToken();
  await RefreshToken.create({ tokenHash: sha256(token), sessionId, userId, expiresAt });
  return token;
}

/** Starts a session (one device) and returns its first refresh token. */
export async function createSession(userId: Types.ObjectId, client: ClientInfo) {
  const now = new Date();
  const expiresAt = refreshExpiry();
  const session = await Session.create({
    userId,
    userAgent: client.userAgent?.slice(0, 512),
    ip: client.ip?.slice(0, 64),
    lastUsedAt: now,
    expiresAt,
  });
  const refreshToken = await issueRefreshToken(session._id, userId, expiresAt);
  return { sessionId: session._id, refreshToken };
}

const invalidRefresh = () => new AppError(401, 'INVALID_REFRESH_TOKEN', 'Refresh token is invalid or expired');

/**
 * Exchanges a refresh token for a new one. Each token works once: the conditional
 * update claims it, and a token already claimed (a replay, or a thief racing the
 * owner) revokes the whole session.
 */
export async function rotateRefreshToken(token: string, client: ClientInfo) {
  const tokenHash = sha256(token);
  const now = new Date();
  const claimed = await RefreshToken.findOneAndUpdate(
    { tokenHash, usedAt: null },
    { $set: { usedAt: now } },
    { returnDocument: 'before' },
  ).lean();
  if (!claimed) {
    const existing = await RefreshToken.findOne({ tokenHash }, { sessionId: 1, userId: 1 }).lean();
    if (existing) {
      await revokeSession(existing.sessionId, 'refresh_token_reuse');
      logger.warn('refresh token reuse: session revoked', {
        sessionId: String(existing.sessionId),
        userId: String(existing.userId),
      });
    }
    throw invalidRefresh();
  }
  if (claimed.expiresAt <= now) throw invalidRefresh();
  const expiresAt = refreshExpiry();
  // The session check and the next token's insert are independent: one round trip, not two.
  const [touched, refreshToken] = await Promise.all([
    Session.updateOne(
      { _id: claimed.sessionId, revokedAt: null, expiresAt: { $gt: now } },
      { $set: { lastUsedAt: now, expiresAt, ...(client.ip ? { ip: client.ip.slice(0, 64) } : {}) } },
    ),
    issueRefreshToken(claimed.sessionId, claimed.userId, expiresAt),
  ]);
  if (touched.matchedCount === 0) {
    await RefreshToken.deleteOne({ tokenHash: sha256(refreshToken) });
    throw invalidRefresh();
  }
  return { userId: claimed.userId, sessionId: claimed.sessionId, refreshToken };
}

export async function revokeSession(sessionId: Types.ObjectId | string, reason: string): Promise<void> {
  await Session.updateOne({ _id: sessionId, revokedAt: null }, { $set: { revokedAt: new Date(), revokedReason: reason } });
}

/** Revokes every session of a user, optionally keeping one (the caller's own). */
export async function revokeUserSessions(userId: Types.ObjectId | string, reason: string, keep?: string): Promise<number> {
  const filter: Record<string, unknown> = { userId, revokedAt: null };
  if (keep) filter._id = { $ne: new Types.ObjectId(keep) };
  const res = await Session.updateMany(filter, { $set: { revokedAt: new Date(), revokedReason: reason } });
  return res.modifiedCount;
}

/** The session a refresh token belongs to, whether or not the token was used. */
export async function findSessionIdByRefreshToken(token: string): Promise<Types.ObjectId | null> {
  const found = await RefreshToken.findOne({ tokenHash: sha256(token) }, { sessionId: 1 }).lean();
  return found?.sessionId ?? null;
}

/** Expired tokens and sessions are deleted by a job (no TTL indexes on FerretDB). */
export async function deleteExpiredSessions(now = new Date()): Promise<number> {
  const tokens = await RefreshToken.deleteMany({ expiresAt: { $lt: now } });
  const sessions = await Session.deleteMany({ expiresAt: { $lt: now } });
  return tokens.deletedCount + sessions.deletedCount;
}
