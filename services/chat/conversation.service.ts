import { runtime } from '../runtime-settings.service.js';
import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { pairKeyOf } from '../../models/connection.model.js';
import { Conversation, ConversationMember } from '../../models/conversation.model.js';
import { Message } from '../../models/message.model.js';
import { PLANS, User } from '../../models/user.model.js';
import { AppError, forbidden, notFound } from '../../utils/app-error.js';
import { hiddenUserIds, isBlockedEitherWay } from '../people/block.service.js';
import { standsWell } from '../people/standing.js';
import { planInForce } from '../connections/quota.service.js';
import { isConnected } from '../connections/connection.service.js';
import { publishToUsers } from '../realtime.service.js';
import { ignoreDuplicate, isDuplicateKey } from '../../utils/duplicate-key.js';
import { readPointer, withTail } from './conversation-tail.js';
import { sendAccess, sendAccessChanged, typingAudience } from './send-access.js';

export interface ConversationDoc {
  _id: Types.ObjectId;
  type: 'direct' | 'group' | 'match';
  name?: string;
  avatarUrl?: string;
  memberIds: Types.ObjectId[];
  createdBy: Types.ObjectId;
  lastMessageAt?: Date;
  seq?: number;
  maxHistoryFromSeq?: number;
  lastMessage?: { id?: Types.ObjectId; senderId?: Types.ObjectId; createdAt?: Date };
  createdAt: Date;
}

/** Where a member's view of a group starts: its first message they may read, and when they came in. */
export interface MemberFloor {
  historyFromSeq: number;
  historyFromAt?: Date | undefined;
}

/** Whether the group's last message came before the member did (then it is not theirs to know of). */
const cameAfterLast = (c: ConversationDoc, m: MemberFloor) => m.historyFromSeq > (c.seq ?? 0);

/** The group's last activity as a member may see it: its last message's time, or when they came in if later. */
export const activityShownTo = (c: ConversationDoc, m: MemberFloor): Date | null =>
  cameAfterLast(c, m) ? (m.historyFromAt ?? c.createdAt) : (c.lastMessageAt ?? null);

const notFoundConversation = () => notFound('Conversation');

/** The conversation if the user is a member; anything else (missing, not a member, a bad id) is the same 404. */
export async function memberConversation(userId: string, conversationId: string): Promise<ConversationDoc> {
  if (!Types.ObjectId.isValid(conversationId)) throw notFoundConversation();
  const conversation = await Conversation.findOne({
    _id: conversationId,
    memberIds: new Types.ObjectId(userId),
  }).lean<ConversationDoc>();
  if (!conversation) throw notFoundConversation();
  return withTail(conversation);
}

export const memberIdsOf = (c: ConversationDoc) => c.memberIds.map(String);

/**
 * Who hears a member's live signals (typing, read receipts, reactions): the other
 * members, less anyone blocked either way. Null when the conversation is a pair across
 * a block: nothing passes between them at all.
 */
export async function liveAudience(me: string, conversation: ConversationDoc): Promise<string[] | null> {
  const others = memberIdsOf(conversation).filter((id) => id !== me);
  const hidden = new Set((await hiddenUserIds(me)).map(String));
  if (conversation.type !== 'group' && others.some((id) => hidden.has(id))) return null;
  return others.filter((id) => !hidden.has(id));
}

/**
 * Who hears a member's read receipt: the live audience, and in a direct chat only while the
 * two are connected (after an unfriending the pointer still moves, silently).
 */
export async function receiptAudience(me: string, conversation: ConversationDoc): Promise<string[] | null> {
  const audience = await liveAudience(me, conversation);
  if (conversation.type !== 'direct' || !audience?.length) return audience;
  return (await isConnected(me, audience[0]!)) ? audience : null;
}

/** The live audience; refused across a block in a pair. */
async function requireLiveAudience(me: string, conversation: ConversationDoc): Promise<string[]> {
  const audience = await liveAudience(me, conversation);
  if (!audience) throw forbidden('You cannot reach this person', 'NOT_CONNECTED');
  return audience;
}

/**
 * The audience of what only someone who may send here may do (a reaction, an edit): what a
 * send needs (a direct chat's connection, the plan: remembered, see sendableConversation),
 * then the members one can reach. An unfriended person's edits and reactions stop with
 * their messages.
 */
export async function requireSenderAudience(me: string, conversation: ConversationDoc): Promise<string[]> {
  await sendableConversation(me, String(conversation._id));
  return requireLiveAudience(me, conversation);
}

/** Mutes a conversation for its member: until a time, or (null) until unmuted. */
export async function muteConversation(me: string, conversationId: string, until: Date | null) {
  const conversation = await memberConversation(me, conversationId);
  // "Until unmuted" is stored as a far date, so one comparison answers "muted now?".
  const mutedUntil = until ?? FOREVER;
  await ConversationMember.updateOne({ conversationId: conversation._id, userId: me }, { $set: { mutedUntil } });
  return { muted: true, mutedUntil: until };
}

export async function unmuteConversation(me: string, conversationId: string): Promise<void> {
  const conversation = await memberConversation(me, conversationId);
  await ConversationMember.updateOne({ conversationId: conversation._id, userId: me }, { $unset: { mutedUntil: 1 } });
}

const FOREVER = new Date('9999-12-31T00:00:00Z');

/**
 * The members with something unread here that may be told (the conversation not muted),
 * each with the last message's sender: one read of the conversation and one of its
 * members, whatever its size.
 */
export async function unreadSendersIn(conversationId: string): Promise<Map<string, string>> {
  const [conversation, members] = await Promise.all([
    Conversation.findById(conversationId, { seq: 1, lastMessage: 1, memberIds: 1 }).lean(),
    ConversationMember.find({ conversationId }, { _id: 0, userId: 1, lastReadSeq: 1, mutedUntil: 1 }).lean(),
  ]);
  const unread = new Map<string, string>();
  if (!conversation) return unread;
  // The member list decides: a record a removal failed to delete tells nobody outside it anything.
  const memberIds = new Set(conversation.memberIds.map(String));
  const tail = withTail(conversation);
  const senderId = tail.lastMessage?.senderId;
  if (!senderId) return unread;
  const now = new Date();
  for (const member of members) {
    if (member.mutedUntil && member.mutedUntil > now) continue;
    const userId = String(member.userId);
    if (!memberIds.has(userId)) continue;
    if (readPointer(conversationId, userId, member.lastReadSeq) < (tail.seq ?? 0)) unread.set(userId, String(senderId));
  }
  return unread;
}

/**
 * Chat may need a plan with chat (config); then everyone sending must have one in force.
 * Returns when the plan that allows it ends, if it does.
 */
async function assertChatPlan(userId: string): Promise<number | undefined> {
  if (!runtime().chatRequiresPlan) return undefined;
  const user = await User.findById(userId, { plan: 1, planExpiresAt: 1 }).lean();
  if (!user || !config.plans[planInForce(user)].chat) {
    // The person is told which plans unlock chat, as config has them.
    const plans = PLANS.filter((p) => config.plans[p].chat);
    const names = plans.map((p) => p[0]!.toUpperCase() + p.slice(1)).join(' and ');
    throw new AppError('PLAN_REQUIRED', `Chat comes with the ${names} plan${plans.length === 1 ? '' : 's'}`, { plans });
  }
  return user.planExpiresAt?.getTime();
}

/** Direct messages need an accepted connection and no block, either way. */
async function assertMayMessage(me: string, them: string): Promise<void> {
  if (me === them) throw new AppError('CANNOT_MESSAGE_SELF', 'You cannot message yourself');
  // Someone banned, suspended or deleted is out of sight, and out of new chats and groups too.
  const [connected, blocked, stands] = await Promise.all([isConnected(me, them), isBlockedEitherWay(me, them), standsWell(them)]);
  if (!connected || blocked || !stands) {
    throw forbidden('You can message your connections only', 'NOT_CONNECTED');
  }
}

/**
 * Checks the sender may post into a conversation now: plan, membership, and for direct
 * ones the connection. Returns until when the answer holds at most (a plan's end).
 */
async function assertMaySend(me: string, conversation: ConversationDoc): Promise<number | undefined> {
  const other = conversation.type !== 'group' ? memberIdsOf(conversation).find((id) => id !== me) : undefined;
  if (conversation.type === 'match') {
    // Matched strangers need no connection, but never talk across a block.
    if (other && (await isBlockedEitherWay(me, other))) throw forbidden('You cannot message this person', 'NOT_CONNECTED');
    return undefined;
  }
  const [until] = await Promise.all([assertChatPlan(me), other ? assertMayMessage(me, other) : undefined]);
  return until;
}

/**
 * The conversation a member may send into now (sendAccess remembers the answer until
 * something changes it). Its last-message fields are left out: they change with every send.
 */
export function sendableConversation(me: string, conversationId: string): Promise<ConversationDoc> {
  const strict = runtime().chatRequiresPlan;
  return sendAccess(me, conversationId, strict, async () => {
    const c = await memberConversation(me, conversationId);
    const until = await assertMaySend(me, c);
    // The plan rule changed during the check: the answer holds for this send only.
    return { conversation: sendableFields(c), until: runtime().chatRequiresPlan === strict ? until : 0 };
  });
}

/** What remembered checks keep of a conversation (the send and typing memories share one copy). */
const sendableFields = (c: ConversationDoc): ConversationDoc => ({
  _id: c._id,
  type: c.type,
  memberIds: c.memberIds,
  createdBy: c.createdBy,
  createdAt: c.createdAt,
  // Changes only with the member list, which drops the remembered copy.
  ...(c.maxHistoryFromSeq !== undefined && { maxHistoryFromSeq: c.maxHistoryFromSeq }),
});

// A typing audience is read again this often even when no change was heard: a block made on
// another process cuts typing within this if its message through Redis was lost.
const TYPING_AUDIENCE_MS = 5000;

/**
 * Who hears `me` type in a conversation: refused where `me` may not send (a direct chat
 * without the connection, the plan), else the other members less anyone blocked either way,
 * refused across a block in a pair. Remembered beside the right to send (send-access.ts).
 */
export async function typingAudienceOf(me: string, conversationId: string): Promise<string[]> {
  const remembered = await typingAudience(me, conversationId, async () => {
    const c = await memberConversation(me, conversationId);
    const planUntil = await assertMaySend(me, c);
    const until = Math.min(Date.now() + TYPING_AUDIENCE_MS, planUntil ?? Infinity);
    return { conversation: sendableFields(c), value: await requireLiveAudience(me, c), until };
  });
  return remembered.audience;
}

/** The private conversation of an accepted chat match. */
export async function matchConversation(a: string, b: string): Promise<ConversationDoc> {
  const memberIds = [a, b].map((id) => new Types.ObjectId(id));
  const created = await Conversation.create({ type: 'match', memberIds, createdBy: a, lastMessageAt: new Date() });
  await ConversationMember.insertMany(memberIds.map((userId) => ({ conversationId: created._id, userId, role: 'member' })));
  return created.toObject() as ConversationDoc;
}

/** The direct conversation of a pair, created on first use (the unique pairKey settles races). */
export async function directConversation(me: string, them: string): Promise<ConversationDoc> {
  if (!Types.ObjectId.isValid(them)) throw notFound('User');
  await assertChatPlan(me);
  await assertMayMessage(me, them);
  const pairKey = pairKeyOf(me, them);
  const existing = await Conversation.findOne({ pairKey }).lean<ConversationDoc>();
  if (existing) return existing;
  const memberIds = [me, them].map((id) => new Types.ObjectId(id));
  try {
    const created = await Conversation.create({ type: 'direct', pairKey, memberIds, createdBy: me, lastMessageAt: new Date() });
    await ConversationMember.insertMany(memberIds.map((userId) => ({ conversationId: created._id, userId, role: 'member' })));
    return created.toObject() as ConversationDoc;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return (await Conversation.findOne({ pairKey }).lean<ConversationDoc>())!;
  }
}

/**
 * A group of the creator (its first admin) and people they are connected to: at least one,
 * and at most CHAT_MAX_GROUPS_CREATED created by one account in 30 days, whether it stayed in
 * them or not (each is a read in every member's conversation list and sync: groups made and
 * left by the thousand would make someone else's reads unbounded).
 */
export async function createGroup(me: string, input: { name: string; memberIds: string[] }): Promise<ConversationDoc> {
  await assertChatPlan(me);
  const others = [...new Set(input.memberIds)].filter((id) => id !== me);
  if (others.length === 0) throw new AppError('GROUP_NEEDS_MEMBERS', 'Add at least one person besides yourself');
  if (others.length + 1 > config.chat.groupMaxMembers) throw groupFull();
  if ((await ownGroupCount(me)) >= config.chat.maxGroupsCreated) throw groupLimit();
  for (const id of others) await assertMayMessage(me, id);
  const memberIds = [me, ...others].map((id) => new Types.ObjectId(id));
  // lastMessageAt starts at creation so a new conversation sorts (and pages) among the others.
  const created = await Conversation.create({
    type: 'group',
    name: input.name,
    memberIds,
    createdBy: me,
    lastMessageAt: new Date(),
    maxHistoryFromSeq: 0,
  });
  // Counted again once stored: creations at the same moment all passed the count above, and
  // any past the limit goes (with several past it at once, each may: none gets beyond).
  if ((await ownGroupCount(me)) > config.chat.maxGroupsCreated) {
    await Conversation.deleteOne({ _id: created._id });
    throw groupLimit();
  }
  await ConversationMember.insertMany(
    memberIds.map((userId) => ({ conversationId: created._id, userId, role: String(userId) === me ? 'admin' : 'member' })),
  );
  const group = created.toObject() as ConversationDoc;
  await announceGroup(group);
  return group;
}

const GROUP_LIMIT_WINDOW_MS = 30 * 86_400_000;

/** Groups `me` created in the last 30 days: by the createdBy+type+createdAt index. */
const ownGroupCount = (me: string) =>
  Conversation.countDocuments({ createdBy: me, type: 'group', createdAt: { $gt: new Date(Date.now() - GROUP_LIMIT_WINDOW_MS) } });

const groupLimit = () => {
  const max = config.chat.maxGroupsCreated;
  return new AppError('GROUP_LIMIT', `One account creates at most ${max} groups in 30 days`, { max });
};

const groupFull = () =>
  new AppError('GROUP_FULL', `A group holds at most ${config.chat.groupMaxMembers} members`, {
    max: config.chat.groupMaxMembers,
  });

async function roleOf(conversationId: Types.ObjectId, userId: string) {
  const member = await ConversationMember.findOne({ conversationId, userId }, { role: 1 }).lean();
  return member?.role;
}

async function requireGroupAdmin(me: string, conversationId: string): Promise<ConversationDoc> {
  const group = await memberConversation(me, conversationId);
  if (group.type !== 'group') throw new AppError('NOT_A_GROUP', 'Direct conversations have no members to manage');
  if ((await roleOf(group._id, me)) !== 'admin') throw forbidden('Only group admins can do this', 'NOT_GROUP_ADMIN');
  return group;
}

/**
 * An admin adds someone they are connected to; the member list and the mirror change
 * together. They read the group from the next message on, as in the best-known messengers:
 * what was said before (or, for someone added back, while they were out) is not theirs.
 */
export async function addMember(me: string, conversationId: string, userId: string): Promise<void> {
  const group = await requireGroupAdmin(me, conversationId);
  if (memberIdsOf(group).includes(userId)) return;
  await assertMayMessage(me, userId);
  // The number this process knows (a send elsewhere in the last moment may fall either side).
  const historyFromSeq = (group.seq ?? 0) + 1;
  // The row (with where they came in) before the list: listed without it, they would read all
  // of it for a moment. A row whose add then fails opens nothing (the list is the word).
  const placeRow = () =>
    ignoreDuplicate(
      ConversationMember.updateOne(
        { conversationId: group._id, userId },
        {
          $setOnInsert: { role: 'member' },
          $set: { historyFromSeq, historyFromAt: new Date() },
          $max: { lastReadSeq: historyFromSeq - 1 },
        },
        { upsert: true },
      ),
    );
  await placeRow();
  // Guarded on the size, so two admins adding at once never pass the limit. The group's
  // highest floor rises with the list, in the same write.
  const res = await Conversation.updateOne(
    { _id: group._id, [`memberIds.${config.chat.groupMaxMembers - 1}`]: { $exists: false } },
    { $addToSet: { memberIds: new Types.ObjectId(userId) }, $max: { maxHistoryFromSeq: historyFromSeq } },
  );
  if (res.matchedCount === 0) throw groupFull();
  // A removal of the same person running at once may have deleted the row in between: listed
  // without one, they would count as a member from the start.
  if (!(await ConversationMember.exists({ conversationId: group._id, userId }))) await placeRow();
  await announceMembers(group._id);
}

/** The first message number a member may read: 1, or where a group took them in (addMember). */
export async function historyFloorOf(me: string, conversation: ConversationDoc): Promise<number> {
  if (conversation.type !== 'group') return 1;
  const row = await ConversationMember.findOne({ conversationId: conversation._id, userId: me }, { historyFromSeq: 1 }).lean();
  return floorFrom(conversation, row);
}

/** A member's floor from their row; no row in a group (an add or a removal half done): nothing before now, rather than everything. */
const floorFrom = (conversation: ConversationDoc, row: { historyFromSeq?: number | null } | null): number =>
  row ? (row.historyFromSeq ?? 1) : conversation.type === 'group' ? (conversation.seq ?? 0) + 1 : 1;

/** An admin removes a member, or a member leaves; the last admin leaving hands over to the longest-standing member. */
export async function removeMember(me: string, conversationId: string, userId: string): Promise<void> {
  const group = me === userId ? await memberConversation(me, conversationId) : await requireGroupAdmin(me, conversationId);
  if (group.type !== 'group') throw new AppError('NOT_A_GROUP', 'Direct conversations have no members to manage');
  if (!memberIdsOf(group).includes(userId)) throw notFound('Member');
  const wasAdmin = (await roleOf(group._id, userId)) === 'admin';
  await Conversation.updateOne({ _id: group._id }, { $pull: { memberIds: new Types.ObjectId(userId) } });
  sendAccessChanged({ conversationId });
  await ConversationMember.deleteOne({ conversationId: group._id, userId });
  if (wasAdmin) await handOverIfNoAdmin(group._id);
  publishToUsers([userId], 'conversation:updated', { id: conversationId, removed: true });
  await announceMembers(group._id);
}

/**
 * Each leaver removes itself before it looks, so of two admins leaving at once at least one
 * finds no admin left. The heir is the longest-standing member still listed (not a row left behind).
 */
async function handOverIfNoAdmin(groupId: Types.ObjectId): Promise<void> {
  if (await ConversationMember.exists({ conversationId: groupId, role: 'admin' })) return;
  const group = await Conversation.findById(groupId, { memberIds: 1 }).lean<ConversationDoc>();
  const stays = new Set(group ? memberIdsOf(group) : []);
  const rows = await ConversationMember.find({ conversationId: groupId }, { userId: 1, createdAt: 1 })
    .sort({ createdAt: 1 })
    .lean();
  const heir = rows.find((r) => stays.has(String(r.userId)));
  if (heir) await ConversationMember.updateOne({ _id: heir._id }, { $set: { role: 'admin' } });
}

/**
 * A deleted account leaves a group as if it had left itself: off the list, its row gone, an heir
 * named if no admin is left (a group whose only admin was deleted could not be run again). Each
 * step may run again: a deletion cut short anywhere in it is finished by the next run.
 */
export async function leaveGroupForGood(userId: string, conversationId: Types.ObjectId): Promise<void> {
  const group = await Conversation.findOne({ _id: conversationId, type: 'group' }, { _id: 1 }).lean();
  if (!group) return;
  await Conversation.updateOne({ _id: conversationId }, { $pull: { memberIds: new Types.ObjectId(userId) } });
  sendAccessChanged({ conversationId: String(conversationId) });
  await ConversationMember.deleteOne({ conversationId, userId });
  await handOverIfNoAdmin(conversationId);
  await announceMembers(conversationId);
}

/** An admin makes a member admin (or takes it back, keeping at least one admin). */
export async function setMemberRole(me: string, conversationId: string, userId: string, role: 'admin' | 'member'): Promise<void> {
  const group = await requireGroupAdmin(me, conversationId);
  if (!memberIdsOf(group).includes(userId)) throw notFound('Member');
  if (role === 'member' && (await ConversationMember.countDocuments({ conversationId: group._id, role: 'admin' })) <= 1) {
    if ((await roleOf(group._id, userId)) === 'admin')
      throw new AppError('LAST_ADMIN', 'A group needs an admin: name another first');
  }
  await ConversationMember.updateOne({ conversationId: group._id, userId }, { $set: { role } });
  // Two admins taking it back from each other at once both passed the count: whoever finds no
  // admin left after their write puts it back (a read-then-write is no guard on its own).
  if (role === 'member' && !(await ConversationMember.exists({ conversationId: group._id, role: 'admin' }))) {
    await ConversationMember.updateOne({ conversationId: group._id, userId }, { $set: { role: 'admin' } });
    throw new AppError('LAST_ADMIN', 'A group needs an admin: name another first');
  }
  await announceMembers(group._id);
}

async function announceMembers(conversationId: Types.ObjectId): Promise<void> {
  // Members came, went or changed role: who may send, and who hears it, is read again.
  sendAccessChanged({ conversationId: String(conversationId) });
  const group = await Conversation.findById(conversationId).lean<ConversationDoc>();
  if (group) await announceGroup(group);
}

export interface ConversationView {
  id: string;
  type: 'direct' | 'group' | 'match';
  name?: string;
  avatarUrl?: string;
  memberIds: string[];
  admins?: string[];
  lastMessage: { id: string; senderId: string; seq: number; createdAt: Date } | null;
  lastMessageAt: Date | null;
  unread: number;
}

/** What every member may be sent of a conversation: not the read state of whoever changed it. */
export type SharedConversationView = Omit<ConversationView, 'unread'>;

async function sharedView(c: ConversationDoc): Promise<SharedConversationView> {
  // As a member from the start sees it (announceGroup hides what a later one may not see): no
  // viewer's row is read.
  const { unread: _own, ...shared } = await conversationView(c, '', { lastReadSeq: 0, historyFromSeq: 1 });
  return shared;
}

/**
 * A group's new state to every member. Someone taken in after its last message is not told of
 * that message (who sent it, its id and time): what was said before they came is not theirs.
 */
async function announceGroup(stored: ConversationDoc): Promise<void> {
  // With the last message this process has sent and not yet stored.
  const group = withTail(stored);
  const view = await sharedView(group);
  const members = memberIdsOf(group);
  // Listed members only: a row left by a removal racing an add names no one to tell.
  const late = (await membersAfter(group, group.seq ?? 0)).filter((m) => members.includes(String(m.userId)));
  const lateIds = new Set(late.map((m) => String(m.userId)));
  publishToUsers(
    members.filter((id) => !lateIds.has(id)),
    'conversation:updated',
    view,
  );
  for (const m of late) {
    const floor = { historyFromSeq: m.historyFromSeq!, historyFromAt: m.historyFromAt ?? undefined };
    publishToUsers([String(m.userId)], 'conversation:updated', {
      ...view,
      lastMessage: null,
      lastMessageAt: activityShownTo(group, floor),
    });
  }
}

/**
 * A conversation as a member sees it: the last message's position (none when it came before
 * they were taken into the group) and their unread count. A list passes the viewer's member
 * row it already has; otherwise it is read here.
 */
export async function conversationView(
  c: ConversationDoc,
  viewer: string,
  member?: MemberFloor & { lastReadSeq: number },
): Promise<ConversationView> {
  const [me, admins] = await Promise.all([
    member ??
      ConversationMember.findOne(
        { conversationId: c._id, userId: viewer },
        { lastReadSeq: 1, historyFromSeq: 1, historyFromAt: 1 },
      )
        .lean()
        .then((m) => ({
          lastReadSeq: readPointer(String(c._id), viewer, m?.lastReadSeq),
          historyFromSeq: floorFrom(c, m),
          historyFromAt: m?.historyFromAt ?? undefined,
        })),
    c.type === 'group' ? ConversationMember.find({ conversationId: c._id, role: 'admin' }, { userId: 1 }).lean() : [],
  ]);
  const last = c.lastMessage?.id && !cameAfterLast(c, me) ? c.lastMessage : undefined;
  return {
    id: String(c._id),
    type: c.type,
    ...(c.name ? { name: c.name } : {}),
    ...(c.avatarUrl ? { avatarUrl: c.avatarUrl } : {}),
    memberIds: memberIdsOf(c),
    ...(c.type === 'group' ? { admins: admins.map((a) => String(a.userId)) } : {}),
    lastMessage: last
      ? { id: String(last.id), senderId: String(last.senderId), seq: c.seq ?? 0, createdAt: last.createdAt! }
      : null,
    lastMessageAt: activityShownTo(c, me),
    unread: Math.max(0, (c.seq ?? 0) - (me?.lastReadSeq ?? 0)),
  };
}

/**
 * Every conversation the user is in, by their member rows (an indexed equality) and then
 * each conversation by id. (An index on the conversations' member arrays cannot hold a
 * large group on FerretDB: its btree entries are capped at 2,704 bytes.)
 */
export async function conversationsOf(me: string): Promise<ConversationDoc[]> {
  return (await membershipsOf(me)).map((m) => m.conversation);
}

type Membership = MemberFloor & { conversation: ConversationDoc; lastReadSeq: number };

/**
 * The user's conversations with their read pointer in each (from the same member rows). A
 * row whose conversation no longer lists the user (a removal whose row delete failed, an add
 * racing a leave) gives nothing: the conversation's member list is the word on membership.
 */
export async function membershipsOf(me: string): Promise<Membership[]> {
  const rows = await ConversationMember.find(
    { userId: me },
    { conversationId: 1, lastReadSeq: 1, historyFromSeq: 1, historyFromAt: 1 },
  ).lean();
  const found = await Promise.all(
    rows.map(async (r): Promise<Membership | null> => {
      const stored = await Conversation.findById(r.conversationId).lean<ConversationDoc>();
      if (!stored || !memberIdsOf(stored).includes(me)) return null;
      return {
        conversation: withTail(stored),
        lastReadSeq: readPointer(String(r.conversationId), me, r.lastReadSeq),
        historyFromSeq: r.historyFromSeq ?? 1,
        historyFromAt: r.historyFromAt ?? undefined,
      };
    }),
  );
  return found.filter((m) => m !== null);
}

/** The user's conversations, latest activity first, by cursor (the lastMessageAt of the last one). */
export async function listConversations(me: string, page: { limit: number; before?: Date }) {
  // By the activity each shows this member (not a group's messages from before they came).
  const all = (await membershipsOf(me))
    .map((m) => ({ ...m, at: activityShownTo(m.conversation, m) }))
    .filter(({ at }) => !page.before || (at && at < page.before))
    .sort(
      (a, b) =>
        (b.at?.getTime() ?? 0) - (a.at?.getTime() ?? 0) || (String(a.conversation._id) < String(b.conversation._id) ? 1 : -1),
    );
  const listed = all.slice(0, page.limit);
  // The read pointers came with the member rows: no second read per conversation.
  const items = await Promise.all(listed.map((m) => conversationView(m.conversation, me, m)));
  const last = listed.at(-1);
  return {
    conversations: items,
    nextCursor: all.length > page.limit && last?.at ? last.at.toISOString() : null,
  };
}

/** Messages of a conversation the user may read exist only for members: used by message routes. */
export async function memberMessage(me: string, messageId: string) {
  if (!Types.ObjectId.isValid(messageId)) throw notFound('Message');
  const message = await Message.findById(messageId).lean();
  if (!message) throw notFound('Message');
  const conversation = await Conversation.findOne({
    _id: message.conversationId,
    memberIds: new Types.ObjectId(me),
  }).lean<ConversationDoc>();
  if (!conversation) throw notFound('Message');
  // A message from before one was added to the group is not theirs to act on (or learn of).
  if (message.seq < (await historyFloorOf(me, conversation))) throw notFound('Message');
  return { message, conversation };
}

/** Whether message number `seq` is every member's: no one came into the group after it. */
export const everyMemberSees = (conversation: ConversationDoc, seq: number): boolean =>
  conversation.type !== 'group' || (conversation.maxHistoryFromSeq !== undefined && seq >= conversation.maxHistoryFromSeq);

/** The members who came into the group after message number `seq`, with when they came. */
async function membersAfter(conversation: ConversationDoc, seq: number) {
  if (everyMemberSees(conversation, seq)) return [];
  return ConversationMember.find(
    { conversationId: conversation._id, historyFromSeq: { $gt: seq } },
    { userId: 1, historyFromSeq: 1, historyFromAt: 1 },
  ).lean();
}

/** The members who came into the group after message number `seq`, by id. */
export async function membersCameAfter(conversation: ConversationDoc, seq: number): Promise<Set<string>> {
  return new Set((await membersAfter(conversation, seq)).map((m) => String(m.userId)));
}

/** Of these members, those who may see message number `seq`: not someone added to the group after it. */
export async function membersWhoSee(conversation: ConversationDoc, userIds: string[], seq: number): Promise<string[]> {
  const later = await membersAfter(conversation, seq);
  if (!later.length) return userIds;
  const out = new Set(later.map((m) => String(m.userId)));
  return userIds.filter((id) => !out.has(id));
}
