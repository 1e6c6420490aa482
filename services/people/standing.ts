import type { Types } from 'mongoose';
import { User } from '../../models/user.model.js';

/** Whether an account is in good standing now: neither banned nor in a suspension. */
export const isInGoodStanding = (user: { bannedAt?: Date | null; suspendedUntil?: Date | null }, now = new Date()) =>
  !user.bannedAt && !(user.suspendedUntil && user.suspendedUntil > now);

/**
 * The same as a query condition: people others may find, see and be matched with. (The
 * suspension part is checked on the rows read, not used to pick them.)
 */
export const inGoodStanding = (now = new Date()) => ({ bannedAt: null, suspendedUntil: { $not: { $gt: now } } });

/** Whether the account exists and is in good standing now (not deleted, banned or suspended): one indexed read. */
export async function standsWell(userId: string | Types.ObjectId): Promise<boolean> {
  return (await User.exists({ _id: userId, deletedAt: null, ...inGoodStanding() })) !== null;
}
