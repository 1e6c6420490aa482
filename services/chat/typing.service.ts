import { config } from '../../config/index.js';
import { publishToUsers } from '../realtime.service.js';
import { typingAudienceOf } from './conversation.service.js';

// Typing indicators end by themselves: one timer per conversation and typist, in the process that heard them.
const typingTimers = new Map<string, NodeJS.Timeout>();
// When each typist's "typing" was last told: a renewal sooner than half its life is not told again.
const toldAt = new Map<string, number>();
// When each typist's stop was last told. A stop this process had not seen start is told too (the
// start may have been heard by another process: a second device, a socket that moved, whose
// indicator would otherwise stay up until it lapsed), unless a stop was told within an
// indicator's life: repeated stops cost nothing.
const stopToldAt = new Map<string, number>();
const STOPS_KEPT = 10_000;

const strayStopDue = (key: string, now: number) => now - (stopToldAt.get(key) ?? -Infinity) >= config.chat.typingTtlMs;

function noteStopTold(key: string, now: number): void {
  stopToldAt.delete(key);
  // Bounded whatever the variety of keys: past the cap, the oldest go (each matters one life only).
  if (stopToldAt.size >= STOPS_KEPT) stopToldAt.delete(stopToldAt.keys().next().value!);
  stopToldAt.set(key, now);
}

function relayTyping(conversationId: string, userId: string, audience: string[], isTyping: boolean, fromTypist = true): void {
  const key = `${conversationId}:${userId}`;
  const wasTyping = typingTimers.has(key);
  clearTimeout(typingTimers.get(key));
  typingTimers.delete(key);
  // Told only what changes what the others see, and a renewal before their indicator lapses:
  // twenty "typing" a second into a group of 256 were 5,000 deliveries a second from one account.
  const now = Date.now();
  const renewalSoon = isTyping && wasTyping && now - (toldAt.get(key) ?? 0) < config.chat.typingTtlMs / 2;
  if (isTyping ? !renewalSoon : wasTyping || (fromTypist && strayStopDue(key, now))) {
    publishToUsers(audience, 'chat:typing', { conversationId, userId, isTyping, ttlMs: config.chat.typingTtlMs });
    if (isTyping) toldAt.set(key, now);
    else noteStopTold(key, now);
  }
  if (!isTyping) toldAt.delete(key);
  if (isTyping) {
    const timer = setTimeout(() => relayTyping(conversationId, userId, audience, false, false), config.chat.typingTtlMs);
    timer.unref();
    typingTimers.set(key, timer);
  }
}

/**
 * A member starts or stops typing: the others hear it, less anyone blocked either way;
 * across a block in a pair it is refused. Who hears is remembered with the right to send
 * (send-access.ts), forgotten in every process by a block, an unblock or a membership change,
 * and read again every few seconds whatever.
 */
export async function setTyping(me: string, conversationId: string, isTyping: boolean) {
  const audience = await typingAudienceOf(me, conversationId);
  relayTyping(conversationId, me, audience, isTyping);
  return { conversationId, isTyping };
}

/** Clears every pending "stopped typing" timer (shutdown). */
export function stopTypingTimers(): void {
  for (const t of typingTimers.values()) clearTimeout(t);
  typingTimers.clear();
  toldAt.clear();
  stopToldAt.clear();
}
