import type { Types } from 'mongoose';
import { AccountToken, type AccountTokenPurpose } from '../../models/account-token.model.js';
import { AppError } from '../../utils/app-error.js';
import { randomToken, sha256 } from '../../utils/crypto.js';

/** Creates a single-use token; only its hash is stored. */
export async function issueAccountToken(
  userId: Types.ObjectId,
  purpose: AccountTokenPurpose,
  ttlMs: number,
  carried: { newEmail?: string; sessionId?: string; sessionEpoch?: number } = {},
): Promise<string> {
  const token = randomToken();
  await AccountToken.create({ tokenHash: sha256(token), userId, purpose, expiresAt: new Date(Date.now() + ttlMs), ...carried });
  return token;
}

/** The user a token is for, when it is still usable; nothing is spent (a check before the claim). */
export async function peekAccountToken(token: string, purpose: AccountTokenPurpose): Promise<Types.ObjectId> {
  const found = await AccountToken.findOne(
    { tokenHash: sha256(token), purpose, usedAt: null, expiresAt: { $gt: new Date() } },
    { userId: 1 },
  ).lean();
  if (!found) throw new AppError('INVALID_LINK', 'This link is invalid, used or expired');
  return found.userId;
}

/** Claims a token atomically: of two concurrent uses, one wins and the other is refused. */
export async function consumeAccountToken(token: string, purpose: AccountTokenPurpose): Promise<Types.ObjectId> {
  return (await claimAccountToken(token, purpose)).userId;
}

/** As consumeAccountToken, with what the token carries (the new address of an email change). */
export async function claimAccountToken(token: string, purpose: AccountTokenPurpose) {
  const now = new Date();
  const claimed = await AccountToken.findOneAndUpdate(
    { tokenHash: sha256(token), purpose, usedAt: null, expiresAt: { $gt: now } },
    { $set: { usedAt: now } },
    { returnDocument: 'before' },
  ).lean();
  if (!claimed) throw new AppError('INVALID_LINK', 'This link is invalid, used or expired');
  return {
    userId: claimed.userId,
    newEmail: claimed.newEmail ?? null,
    sessionId: claimed.sessionId ?? null,
    sessionEpoch: claimed.sessionEpoch ?? null,
  };
}

/** After a password reset, any other reset link sent earlier stops working. */
export async function revokeAccountTokens(userId: Types.ObjectId, purpose: AccountTokenPurpose): Promise<void> {
  await AccountToken.updateMany({ userId, purpose, usedAt: null }, { $set: { usedAt: new Date() } });
}

/** Every emailed link of the account, whatever its purpose, stops working (a deleted account). */
export async function revokeAllAccountTokens(userId: Types.ObjectId): Promise<void> {
  await AccountToken.updateMany({ userId, usedAt: null }, { $set: { usedAt: new Date() } });
}

export async function deleteExpiredAccountTokens(now = new Date()): Promise<number> {
  const res = await AccountToken.deleteMany({ expiresAt: { $lt: now } });
  return res.deletedCount;
}
