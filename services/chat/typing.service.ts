import { randomBytes } from 'node:crypto';
import { config } from '../../config/index.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { perKeyThrottle } from '../../utils/per-key-throttle.js';
import { publishToUsers } from '../realtime.service.js';
import { boundedRedis, type RedisClient } from '../redis.service.js';
import { typingAudienceOf } from './conversation.service.js';

// Typing indicators end by themselves: one timer per conversation and typist, in the process that heard them.
const typingTimers = new Map<string, NodeJS.Timeout>();
// When each typist's "typing" was last told: a renewal sooner than half its life is not told again
// (unless a stop told elsewhere took its mark: tellIfStoppedElsewhere).
const toldAt = new Map<string, number>();
// A start told is marked in Redis (several processes) for an indicator's life, the mark naming this
// process: a stop this process had not seen start (a second device, a socket that moved to it) is
// told when the mark was there, and takes it. A stop told where the start was heard, or its lapse,
// takes the mark only if it is still this process's (another's, set since for the typist's other
// device, stays for that device's stop). While Redis fails: a stray stop is told when no stop was
// told here within an indicator's life (repeated stops cost nothing). When each typist's stop was
// last told, for that:
const stopToldAt = new Map<string, number>();
// When a renewal not told last looked for its start's mark (tellIfStoppedElsewhere): once a
// second at most, however fast a client repeats "typing".
const markCheckedAt = new Map<string, number>();
const MARK_CHECK_EVERY_MS = 1000;
let shared: { prefix: string; redis: RedisClient } | undefined;
const TYPING_REDIS_WAIT_MS = 500;
// Names this process's marks: 16 random bytes.
const PROCESS_MARK = randomBytes(16).toString('hex');
// Deletes a mark only if it is still the one named.
const TAKE_OWN_MARK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const sayRedisFailure = perKeyThrottle(60_000);
const STOPS_KEPT = 10_000;

const strayStopDue = (key: string, now: number) => now - (stopToldAt.get(key) ?? -Infinity) >= config.chat.typingTtlMs;

function noteStopTold(key: string, now: number): void {
  stopToldAt.delete(key);
  // Bounded whatever the variety of keys: past the cap, the oldest go (each matters one life only).
  if (stopToldAt.size >= STOPS_KEPT) stopToldAt.delete(stopToldAt.keys().next().value!);
  stopToldAt.set(key, now);
}

/** Shares who is typing with the other processes on this Redis; returns a function that stops it. */
export function shareTypingState(redis: RedisClient, prefix: string): () => void {
  shared = { prefix: `${prefix}typing:`, redis };
  return () => void (shared = undefined);
}

/** A Redis command of the typing marks, bounded in time; undefined when Redis did not answer. */
async function onShared<T>(command: (client: RedisClient, key: string) => Promise<T>, key: string): Promise<T | undefined> {
  if (!shared) return undefined;
  const { redis, prefix } = shared;
  try {
    return await boundedRedis(redis).call((client) => command(client, prefix + key), { waitMs: TYPING_REDIS_WAIT_MS });
  } catch (err) {
    sayRedisFailure('typing', () => logger.warn('typing marks unavailable', { error: errorMessage(err) }));
    return undefined;
  }
}

/** Whether a stop this process had not seen start is told: see stopToldAt. One process alone heard every start. */
async function strayStopTold(key: string): Promise<boolean> {
  if (!shared) return false;
  const marked = await onShared((client, k) => client.getDel(k), key);
  return marked === undefined ? strayStopDue(key, Date.now()) : marked !== null;
}

function relayTyping(conversationId: string, userId: string, audience: string[], isTyping: boolean, strayStop = false): void {
  const key = `${conversationId}:${userId}`;
  const wasTyping = typingTimers.has(key);
  clearTimeout(typingTimers.get(key));
  typingTimers.delete(key);
  // Told only what changes what the others see, and a renewal before their indicator lapses:
  // twenty "typing" a second into a group of 256 were 5,000 deliveries a second from one account.
  const now = Date.now();
  const renewalSoon = isTyping && wasTyping && now - (toldAt.get(key) ?? 0) < config.chat.typingTtlMs / 2;
  if (renewalSoon && shared && now - (markCheckedAt.get(key) ?? 0) >= MARK_CHECK_EVERY_MS) {
    markCheckedAt.set(key, now);
    void tellIfStoppedElsewhere(conversationId, userId, audience);
  }
  if (isTyping ? !renewalSoon : wasTyping || strayStop) {
    publishToUsers(audience, 'chat:typing', { conversationId, userId, isTyping, ttlMs: config.chat.typingTtlMs });
    if (isTyping) {
      toldAt.set(key, now);
      void onShared((client, k) => client.set(k, PROCESS_MARK, { PX: config.chat.typingTtlMs }), key);
    } else if (shared) {
      // Read only while Redis fails; without Redis there are no stray stops to weigh.
      noteStopTold(key, now);
      if (wasTyping) {
        void onShared((client, k) => client.eval(TAKE_OWN_MARK, { keys: [k], arguments: [PROCESS_MARK] }), key);
      }
    }
  }
  if (!isTyping) {
    toldAt.delete(key);
    markCheckedAt.delete(key);
  }
  if (isTyping) {
    const timer = setTimeout(() => relayTyping(conversationId, userId, audience, false), config.chat.typingTtlMs);
    timer.unref();
    typingTimers.set(key, timer);
  }
}

/**
 * A renewal not told (its start was told moments ago) is told after all when the start's mark is
 * gone: a stop heard by another process (the typist's other device) took it, and the others see
 * them stopped while they type here. The mark is set again only where none is, so this costs one
 * command and tells nothing while it stands.
 */
async function tellIfStoppedElsewhere(conversationId: string, userId: string, audience: string[]): Promise<void> {
  const key = `${conversationId}:${userId}`;
  const ttlMs = config.chat.typingTtlMs;
  const marked = await onShared((client, k) => client.set(k, PROCESS_MARK, { PX: ttlMs, NX: true }), key);
  if (marked !== 'OK') return;
  // Stopped here meanwhile: the stop was told, and the mark is no one's to take.
  if (!typingTimers.has(key)) {
    void onShared((client, k) => client.eval(TAKE_OWN_MARK, { keys: [k], arguments: [PROCESS_MARK] }), key);
    return;
  }
  toldAt.set(key, Date.now());
  publishToUsers(audience, 'chat:typing', { conversationId, userId, isTyping: true, ttlMs });
}

/**
 * A member starts or stops typing: the others hear it, less anyone blocked either way;
 * across a block in a pair it is refused. Who hears is remembered with the right to send
 * (send-access.ts), forgotten in every process by a block, an unblock or a membership change,
 * and read again every few seconds whatever.
 */
export async function setTyping(me: string, conversationId: string, isTyping: boolean) {
  const audience = await typingAudienceOf(me, conversationId);
  const key = `${conversationId}:${me}`;
  if (!isTyping && !typingTimers.has(key)) {
    const told = await strayStopTold(key);
    // A start heard while Redis answered came after this stop: the stop is past.
    if (typingTimers.has(key)) return { conversationId, isTyping };
    relayTyping(conversationId, me, audience, false, told);
  } else relayTyping(conversationId, me, audience, isTyping);
  return { conversationId, isTyping };
}

/** Clears every pending "stopped typing" timer (shutdown). */
export function stopTypingTimers(): void {
  for (const t of typingTimers.values()) clearTimeout(t);
  typingTimers.clear();
  toldAt.clear();
  markCheckedAt.clear();
  stopToldAt.clear();
}
