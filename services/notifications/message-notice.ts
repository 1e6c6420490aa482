import { config } from '../../config/index.js';
import { Conversation, ConversationMember } from '../../models/conversation.model.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { isOnline } from '../presence/presence.service.js';
import { notify } from './notification.service.js';

// One check waiting per person and conversation in this process: it reads the state when it
// runs, so later messages in the grace period need no check of their own.
const waiting = new Map<string, NodeJS.Timeout>();
// Past this many waiting checks a process takes no more until some run: memory stays bounded
// under a flood of group messages, at the price of a missed notice.
const MAX_WAITING = 100_000;

/**
 * A message is news to a member who is still offline, has not read it and has not muted the
 * conversation when the grace period ends: then one notice per conversation, gathering its
 * senders while unread ("Ana and 2 others sent you a message"), never the text. A restart
 * loses the checks waiting in it: a missed notice, never a wrong one.
 */
export function tellOfflineMembersLater(conversationId: string, memberIds: string[], senderId: string): void {
  for (const userId of memberIds) {
    const key = `${userId}:${conversationId}`;
    if (userId === senderId || waiting.has(key) || waiting.size >= MAX_WAITING) continue;
    const timer = setTimeout(() => {
      waiting.delete(key);
      void tellIfStillAway(userId, conversationId).catch((err: unknown) =>
        logger.warn('message notice failed', { conversationId, error: errorMessage(err) }),
      );
    }, config.notifications.messageGraceMs);
    timer.unref();
    waiting.set(key, timer);
  }
}

async function tellIfStillAway(userId: string, conversationId: string): Promise<void> {
  if (await isOnline(userId)) return;
  const [member, conversation] = await Promise.all([
    ConversationMember.findOne({ conversationId, userId }, { lastReadSeq: 1, mutedUntil: 1 }).lean(),
    Conversation.findById(conversationId, { seq: 1, lastMessage: 1 }).lean(),
  ]);
  if (!member || !conversation?.lastMessage?.senderId) return;
  if (member.mutedUntil && member.mutedUntil > new Date()) return;
  if ((member.lastReadSeq ?? 0) >= (conversation.seq ?? 0)) return;
  await notify({
    userId,
    type: 'message',
    actorId: String(conversation.lastMessage.senderId),
    target: { kind: 'conversation', id: conversationId },
  });
}
