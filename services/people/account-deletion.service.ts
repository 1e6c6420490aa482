import { forgetTaste } from '../match/taste/taste.service.js';
import { Types } from 'mongoose';
import { ChatAttachment } from '../../models/chat-attachment.model.js';
import { Connection } from '../../models/connection.model.js';
import { Conversation, ConversationMember } from '../../models/conversation.model.js';
import { Message } from '../../models/message.model.js';
import { OAuthIdentity } from '../../models/oauth-identity.model.js';
import { Post } from '../../models/post.model.js';
import { PushDevice } from '../../models/push-device.model.js';
import { User } from '../../models/user.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { assertRecentlyAuthenticated, revokeUserSessions } from '../auth/session.service.js';
import { revokeAllAccountTokens } from '../auth/account-token.service.js';
import { reapAttachments } from '../chat/attachment.service.js';
import { leaveGroupForGood } from '../chat/conversation.service.js';
import type { PhotoState } from './photo.service.js';
import { sendAccessChanged } from '../chat/send-access.js';
import { notePostChanged } from '../feeds/fanout.js';
import { blankCommentsOf } from '../posts/comment.service.js';
import type { StorageProvider } from '../storage/storage.provider.js';

/** Deletes stored objects, logging (not failing on) what the storage keeps: the account goes either way. */
async function deleteObjectsOf(storage: StorageProvider, objects: string[], what: string): Promise<void> {
  if (objects.length === 0) return;
  await storage.deleteObjects(objects).catch((err: unknown) => logger.warn(`${what} not deleted`, { error: errorMessage(err) }));
}

/**
 * Deletes an account, on a recent proof of identity in this session. What identifies the
 * person goes at once: the profile is emptied (name, email, phone, photos, place), every
 * session and device ends, sign-in identities are freed; their posts and chat attachments
 * go with their objects, and their messages and comments are blanked (the others keep the numbered
 * places of the conversation). The record stays as a suspended shell, so connections,
 * payments and reports that name it still resolve; nothing can sign in to it.
 */
export async function deleteAccount(userId: string, sessionId: string, storage: StorageProvider): Promise<void> {
  await assertRecentlyAuthenticated(userId, sessionId);
  const me = new Types.ObjectId(userId);
  if (!(await User.exists({ _id: me, deletedAt: null }))) throw notFound('User');
  const now = new Date();
  // Sessions and mailed links first: once the account is marked deleted, a failed revocation
  // could not be retried, and the scrub that voids them again may be minutes away.
  await revokeUserSessions(userId, 'account_deleted');
  await revokeAllAccountTokens(me);
  // The conversations it is a member of, for the scrub to leave (their rows go with it).
  const memberships = await ConversationMember.find({ userId: me }, { _id: 0, conversationId: 1 }).lean();
  await markDeleted(me, now, { deletionConversations: memberships.map((m) => m.conversationId) });
  // Again once the account is marked: a sign-in that read it between the first revocation and
  // the mark, and checked again before the mark, made a session neither would catch. Its
  // failure must not stop the rest (a marked account cannot be deleted again); such a session
  // refreshes only until its role is re-read, at most an hour.
  await revokeUserSessions(userId, 'account_deleted').catch((err: unknown) =>
    logger.error('ending sessions again after a deletion failed', { userId, error: errorMessage(err) }),
  );
  await finishDeletion(userId, storage);
}

/**
 * Empties the account and marks it for the scrub, as one write conditional on the photos read
 * for it: a photo change landing in between (whose files the mark would not name) is read again.
 */
async function markDeleted(me: Types.ObjectId, now: Date, extra: Record<string, unknown>): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const user = await User.findOne({ _id: me, deletedAt: null }, { avatar: 1, gallery: 1, photosVersion: 1 }).lean();
    if (!user) throw notFound('User');
    const res = await markWith(me, now, user, extra);
    if (res.modifiedCount === 1) return;
  }
  throw new AppError('CONCURRENT_UPDATE', 'Your photos changed at the same time; try again');
}

function markWith(
  me: Types.ObjectId,
  now: Date,
  user: Pick<PhotoState, 'avatar' | 'gallery' | 'photosVersion'>,
  extra: Record<string, unknown>,
) {
  const userId = String(me);
  return User.updateOne(
    { _id: me, deletedAt: null, photosVersion: user.photosVersion ?? { $exists: false } },
    {
      $set: {
        ...extra,
        deletionPending: true,
        deletedAt: now,
        bannedAt: now,
        firstName: 'Deleted',
        lastName: 'account',
        // Values signup, sign-in by a provider and an address change all refuse (a '_' in the
        // address's domain, a '-' in the name), from the whole id: every id is public, and the
        // old ones (deleted-<id>@deleted.invalid, deleted<last 16>) could be taken first, which
        // made the deletion fail on a duplicate, each try ending every session of its owner.
        email: `${userId}@deleted_account.invalid`,
        emailVerified: false,
        username: `-${userId}`,
        bio: '',
        interests: [],
        gallery: [],
        searchNames: [],
        searchPrefixes: [],
        linkedProviders: [],
        availableForMatching: false,
        locationConsent: false,
        'settings.privacy.discoverable': false,
        // What the scrub deletes from storage once the photo fields are gone.
        deletionObjects: [user.avatar, ...(user.gallery ?? [])].flatMap((p) => p?.objects ?? []),
      },
      $unset: { phone: 1, avatar: 1, location: 1, geoCells: 1, passwordHash: 1, country: 1 },
      $inc: { authVersion: 1, photosVersion: 1 },
    },
  );
}

/**
 * Migration: accounts deleted before deletions were resumable are marked pending, for the job to
 * go over them again (each step reruns safely), and taken out of the groups whose lists still name
 * them (their member rows went with the old scrub, so only a pass over the groups finds them).
 */
export async function resumeDeletionsFromBefore(): Promise<number> {
  const res = await User.updateMany(
    { deletedAt: { $ne: null }, deletionDoneAt: null, deletionPending: null },
    { $set: { deletionPending: true } },
  );
  const shells = new Set((await User.find({ deletedAt: { $ne: null } }, { _id: 1 }).lean()).map((u) => String(u._id)));
  if (shells.size === 0) return res.modifiedCount;
  for await (const group of Conversation.find({ type: 'group' }, { memberIds: 1 }).lean().cursor()) {
    for (const id of group.memberIds ?? []) if (shells.has(String(id))) await leaveGroupForGood(String(id), group._id);
  }
  return res.modifiedCount;
}

/** Accounts marked deleted this long ago and not finished: the request that marked them died. */
const UNFINISHED_AFTER_MS = 10 * 60_000;

/**
 * Finishes deletions cut short after the mark (a deploy, a crash, a database error mid-way):
 * the mark bans the account, so its owner could never ask again. Clean-up job step.
 */
export async function finishDeletions(now: Date, storage: StorageProvider): Promise<number> {
  const unfinished = await User.find(
    { deletionPending: true, deletedAt: { $lt: new Date(now.getTime() - UNFINISHED_AFTER_MS) } },
    { _id: 1 },
  )
    .sort({ deletedAt: 1 })
    .limit(20)
    .lean();
  let finished = 0;
  // One account that keeps failing is logged and left: it must not hold up the others.
  for (const { _id } of unfinished) {
    await finishDeletion(String(_id), storage).then(
      () => finished++,
      (err: unknown) => logger.error('finishing a deletion failed', { userId: String(_id), error: errorMessage(err) }),
    );
  }
  return finished;
}

/**
 * Everything of a marked account beyond its record: each step may run again (a second run
 * finds nothing left to do), so a run cut short is finished by the next.
 */
async function finishDeletion(userId: string, storage: StorageProvider): Promise<void> {
  const me = new Types.ObjectId(userId);
  const marked = await User.findOne(
    { _id: me, deletedAt: { $ne: null } },
    { deletedAt: 1, deletionObjects: 1, deletionConversations: 1 },
  ).lean();
  if (!marked?.deletedAt) return;
  const now = marked.deletedAt;
  // Out of every group before its member rows go (a sole admin hands over); a failure stops
  // the scrub here, for the next run to try again.
  // Those recorded with the mark, and any it joined since (an add by someone still connected).
  const since = await ConversationMember.find({ userId: me }, { _id: 0, conversationId: 1 }).lean();
  const conversations = new Map(
    [...(marked.deletionConversations ?? []), ...since.map((r) => r.conversationId)].map((id) => [String(id), id]),
  );
  for (const conversationId of conversations.values()) await leaveGroupForGood(userId, conversationId);
  await Promise.all([
    // Reset and verification links already mailed: none may write to the shell.
    revokeAllAccountTokens(me),
    PushDevice.deleteMany({ userId: me }),
    OAuthIdentity.deleteMany({ userId: me }),
    Connection.deleteMany({ memberIds: me }),
    // No member rows: links signed for the person stop opening, and no group counts them.
    ConversationMember.deleteMany({ userId: me }),
    // What the matcher learned of them, and their queued signals.
    forgetTaste(userId),
  ]);
  // Nobody sends to (or as) the account from a remembered right, in any process.
  sendAccessChanged({ userIds: [userId] });
  await deleteObjectsOf(storage, marked.deletionObjects ?? [], 'profile photos');

  // Messages keep their places, blank; every upload goes with its objects.
  await Message.updateMany(
    { senderId: me, deletedAt: null },
    { $set: { deletedAt: now }, $unset: { text: 1, attachment: 1, media: 1 } },
  );
  await ChatAttachment.updateMany({ uploaderId: me }, { $set: { status: 'dropped' } });
  while ((await reapAttachments(storage, { uploaderId: me, status: 'dropped' })) > 0);

  // Their comments as if they had deleted each: blank, uncounted, images gone.
  await deleteObjectsOf(storage, await blankCommentsOf(me), 'comment images');

  for (;;) {
    const posts = await Post.find({ authorId: me }, { objects: 1 }).limit(200).lean();
    if (posts.length === 0) break;
    for (const post of posts) {
      await Post.deleteOne({ _id: post._id });
      await notePostChanged(post._id);
      await deleteObjectsOf(storage, post.objects ?? [], 'post media');
    }
  }
  await User.updateOne(
    { _id: me },
    { $set: { deletionDoneAt: new Date() }, $unset: { deletionPending: 1, deletionObjects: 1, deletionConversations: 1 } },
  );
}
