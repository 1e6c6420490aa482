import { config } from '../../config/index.js';
import { publishToUsers } from '../realtime.service.js';
import { memberConversation, requireLiveAudience, type ConversationDoc } from './conversation.service.js';

// Typing indicators end by themselves: one timer per conversation and typist, in the process that heard them.
const typingTimers = new Map<string, NodeJS.Timeout>();

function relayTyping(conversationId: string, userId: string, audience: string[], isTyping: boolean): void {
  const key = `${conversationId}:${userId}`;
  clearTimeout(typingTimers.get(key));
  typingTimers.delete(key);
  publishToUsers(audience, 'chat:typing', { conversationId, userId, isTyping, ttlMs: config.chat.typingTtlMs });
  if (isTyping) {
    const timer = setTimeout(() => relayTyping(conversationId, userId, audience, false), config.chat.typingTtlMs);
    timer.unref();
    typingTimers.set(key, timer);
  }
}

// Typing is the most frequent event: a typist's membership is remembered a few seconds
// (blocks are read each time, so a block cuts the signal at once).
const MEMBERSHIP_MEMORY_MS = 10_000;
const memberships = new Map<string, { conversation: ConversationDoc; until: number }>();

async function rememberedConversation(me: string, conversationId: string): Promise<ConversationDoc> {
  const key = `${conversationId}:${me}`;
  const known = memberships.get(key);
  if (known && known.until > Date.now()) return known.conversation;
  const conversation = await memberConversation(me, conversationId);
  if (memberships.size > 50_000) memberships.clear();
  memberships.set(key, { conversation, until: Date.now() + MEMBERSHIP_MEMORY_MS });
  return conversation;
}

/**
 * A member starts or stops typing: the others hear it, less anyone blocked either way;
 * across a block in a pair it is refused.
 */
export async function setTyping(me: string, conversationId: string, isTyping: boolean) {
  const audience = await requireLiveAudience(me, await rememberedConversation(me, conversationId));
  relayTyping(conversationId, me, audience, isTyping);
  return { conversationId, isTyping };
}

/** Clears every pending "stopped typing" timer (shutdown). */
export function stopTypingTimers(): void {
  for (const t of typingTimers.values()) clearTimeout(t);
  typingTimers.clear();
  memberships.clear();
}
