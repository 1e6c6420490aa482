import { config } from '../../config/index.js';
import { unreadSenderFor } from '../chat/conversation.service.js';
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
  const lastSenderId = await unreadSenderFor(userId, conversationId);
  if (lastSenderId)
    await notify({ userId, type: 'message', actorId: lastSenderId, target: { kind: 'conversation', id: conversationId } });
}
