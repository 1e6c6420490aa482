import { Types } from 'mongoose';
import { Block } from '../../models/block.model.js';
import { User } from '../../models/user.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { endCallsBetween } from '../match/call.service.js';
import { emitDomainEvent } from '../events.js';
import { forgetNotificationsBetween } from '../notifications/notification.service.js';
import { dropFeedEntriesBetween } from '../feeds/fanout.js';
import { usersById } from './user.service.js';
import { ignoreDuplicate } from '../../utils/duplicate-key.js';
import { sendAccessChanged } from '../chat/send-access.js';
import { nextCursorOf, olderThan } from '../page-cursor.js';

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

/**
 * Everyone hidden from this user: whom they blocked and who blocked them. Lists and
 * searches exclude these ids; both lookups are index equality reads.
 */
export async function hiddenUserIds(userId: Types.ObjectId | string): Promise<Types.ObjectId[]> {
  // The driver directly: lists, searches and presence ask this on their hot paths.
  const id = new Types.ObjectId(userId);
  const [blocked, blockers] = await Promise.all([
    Block.collection.find<{ blockedId: Types.ObjectId }>({ blockerId: id }, { projection: { _id: 0, blockedId: 1 } }).toArray(),
    Block.collection.find<{ blockerId: Types.ObjectId }>({ blockedId: id }, { projection: { _id: 0, blockerId: 1 } }).toArray(),
  ]);
  return [...blocked.map((b) => b.blockedId), ...blockers.map((b) => b.blockerId)];
}

export async function blockUser(blockerId: string, blockedId: string): Promise<void> {
  if (blockerId === blockedId) throw new AppError('CANNOT_BLOCK_SELF', 'You cannot block yourself');
  if (!(await User.exists({ _id: blockedId }))) throw notFound('User');
  // The unique index settles repeats and races: blocking twice leaves one record.
  await ignoreDuplicate(Block.create({ blockerId, blockedId }));
  sendAccessChanged({ userIds: [blockerId, blockedId] });
  await Promise.all([
    dropFeedEntriesBetween(blockerId, blockedId),
    separatePair(blockerId, blockedId),
    forgetNotificationsBetween(blockerId, blockedId),
  ]);
}

/**
 * Whatever two people were doing together live ends now: a call, a match waiting for
 * answers (the matchmaker hears it as a domain event, and keeps them apart in its queue).
 */
export async function separatePair(a: string, b: string): Promise<void> {
  await Promise.all([endCallsBetween(a, b), emitDomainEvent('pair.separated', { a, b })]);
}

/** Lifts one's block; with none left either way, the queue may pair the two again. */
export async function unblockUser(blockerId: string, blockedId: string): Promise<void> {
  const { deletedCount } = await Block.deleteOne({ blockerId, blockedId });
  // What was remembered under the block (who hears one type in a group) is read again; an
  // unblock of nobody changes nothing (and must not let anyone flush the memories at will).
  if (deletedCount) sendAccessChanged({ userIds: [blockerId, blockedId] });
  if (!(await isBlockedEitherWay(blockerId, blockedId))) await emitDomainEvent('pair.reunited', { a: blockerId, b: blockedId });
}

/** The users this user has blocked, newest first, a page at a time, with enough to recognise them. */
export async function listBlocks(blockerId: string, page: { limit: number; cursor?: string }) {
  const blocks = await Block.find({ blockerId, ...olderThan(page.cursor) }, { blockedId: 1, createdAt: 1 })
    .sort({ _id: -1 })
    .limit(page.limit)
    .lean();
  const byId = await usersById(
    blocks.map((b) => String(b.blockedId)),
    { evenSuspended: true },
  );
  return {
    blocks: blocks.flatMap((b) => {
      const u = byId.get(String(b.blockedId));
      return u
        ? [{ userId: String(u._id), username: u.username, firstName: u.firstName, lastName: u.lastName, blockedAt: b.createdAt }]
        : [];
    }),
    nextCursor: nextCursorOf(blocks, page.limit),
  };
}
