import type { Types } from 'mongoose';
import { Block } from '../models/block.model.js';
import { User } from '../models/user.model.js';
import { AppError, notFound } from '../utils/app-error.js';

/**
 * The one place that knows who blocked whom. Profiles, search and (later) discovery,
 * requests, chat and matching ask here.
 */
export async function isBlockedEitherWay(a: Types.ObjectId | string, b: Types.ObjectId | string): Promise<boolean> {
  const [ab, ba] = await Promise.all([
    Block.exists({ blockerId: a, blockedId: b }),
    Block.exists({ blockerId: b, blockedId: a }),
  ]);
  return Boolean(ab || ba);
}

export async function blockUser(blockerId: string, blockedId: string): Promise<void> {
  if (blockerId === blockedId) throw new AppError(400, 'CANNOT_BLOCK_SELF', 'You cannot block yourself');
  if (!(await User.exists({ _id: blockedId }))) throw notFound('User');
  // The unique index settles repeats and races: blocking twice leaves one record.
  await Block.create({ blockerId, blockedId }).catch((err: { code?: number }) => {
    if (err.code !== 11000) throw err;
  });
}

export async function unblockUser(blockerId: string, blockedId: string): Promise<void> {
  await Block.deleteOne({ blockerId, blockedId });
}

/** The users this user has blocked, newest first, with just enough to recognise them. */
export async function listBlocks(blockerId: string) {
  const blocks = await Block.find({ blockerId }, { blockedId: 1, createdAt: 1 }).sort({ createdAt: -1 }).limit(1000).lean();
  const users = await User.find(
    { _id: { $in: blocks.map((b) => b.blockedId) } },
    { username: 1, firstName: 1, lastName: 1 },
  ).lean();
  const byId = new Map(users.map((u) => [String(u._id), u]));
  return blocks.flatMap((b) => {
    const u = byId.get(String(b.blockedId));
    return u
      ? [{ userId: String(u._id), username: u.username, firstName: u.firstName, lastName: u.lastName, blockedAt: b.createdAt }]
      : [];
  });
}
