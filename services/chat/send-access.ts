import { errorMessage, logger } from '../../utils/logger.js';
import type { RedisClient } from '../redis.service.js';
import type { ConversationDoc } from './conversation.service.js';

/**
 * Who may send into which conversation, remembered per process: a send after the first
 * skips the membership, connection, block and plan reads. An entry is forgotten when
 * something that could take the right away happens to the conversation or to one of its
 * members (a member removed or added, a block, an unfriending, a plan lost, chat put
 * behind a plan): here at once, in the other processes through Redis pub/sub. An entry
 * lives at most ENTRY_MS, and never past the plan that allowed it.
 */
const ENTRY_MS = 60_000;
const MAX_ENTRIES = 50_000;
const OBJECT_ID = /^[0-9a-f]{24}$/;

/** A conversation as its senders' entries share it: one copy of its members, whoever sends. */
interface Shared {
  conversation: ConversationDoc;
  memberIds: Set<string>;
}
interface Entry<T> {
  /** The record checked against: once forgotten (or replaced by a later check), the entry is void. */
  shared: Shared;
  until: number;
  value: T;
}
const conversations = new Map<string, Shared>();
/** May send: the value says whether it was checked while chat needed a plan (an answer given without that rule does not hold once it is on). */
const entries = new Map<string, Entry<boolean>>();
/** Who hears a member's typing: the other members less anyone blocked either way. */
const typingAudiences = new Map<string, Entry<string[]>>();
// Bumped by every change: a check that began before one is not remembered.
let generation = 0;
let publish: ((change: string) => void) | undefined;
const keyOf = (conversationId: string, userId: string) => `${conversationId}:${userId}`;

/** Room for one more: what has lapsed (or lost its conversation) goes first, then the oldest. */
function makeRoom<V>(map: Map<string, V>, lapsed: (v: V) => boolean): void {
  if (map.size < MAX_ENTRIES) return;
  for (const [key, v] of map) if (lapsed(v)) map.delete(key);
  while (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
}

/**
 * What `check` found for `me` in a conversation (it throws when not allowed and says until
 * when its verdict holds at most), from memory while nothing changed and `holds` accepts it.
 */
async function remembered<T>(
  memory: Map<string, Entry<T>>,
  me: string,
  conversationId: string,
  holds: (value: T) => boolean,
  check: () => Promise<{ conversation: ConversationDoc; value: T; until?: number }>,
): Promise<{ conversation: ConversationDoc; value: T }> {
  // Ids are remembered in one spelling: another (upper case) would be another entry.
  const id = conversationId.toLowerCase();
  const known = OBJECT_ID.test(id) ? memory.get(keyOf(id, me)) : undefined;
  if (known && isLive(known) && known.until > Date.now() && holds(known.value))
    return { conversation: known.shared.conversation, value: known.value };
  const started = generation;
  const { conversation, value, until } = await check();
  const canonical = String(conversation._id);
  if (started === generation) {
    const now = Date.now();
    // A record still here has seen no change since it was made: every sender shares it. One
    // forgotten is never revived: entries hold the record they were checked with.
    let shared = conversations.get(canonical);
    if (!shared) {
      shared = { conversation, memberIds: new Set(conversation.memberIds.map(String)) };
      makeRoom(conversations, () => false);
      conversations.set(canonical, shared);
    }
    makeRoom(memory, (e) => e.until <= now || !isLive(e));
    memory.set(keyOf(canonical, me), { shared, until: Math.min(now + ENTRY_MS, until ?? Infinity), value });
  }
  return { conversation, value };
}

/**
 * The conversation `me` may send into, from memory or from `check` (which throws when
 * not allowed and says until when its verdict holds at most). `strict`: the rules now
 * include the plan.
 */
export async function sendAccess(
  me: string,
  conversationId: string,
  strict: boolean,
  check: () => Promise<{ conversation: ConversationDoc; until?: number }>,
): Promise<ConversationDoc> {
  const checked = async () => ({ ...(await check()), value: strict });
  return (await remembered(entries, me, conversationId, (wasStrict) => wasStrict || !strict, checked)).conversation;
}

/**
 * Who hears `me` type in a conversation, from memory or from `check` (which throws when `me`
 * may not signal there, and says until when its answer holds at most). A block, an unblock,
 * a member leaving or added forgets it, as it does the right to send: typing, the most
 * frequent event, reads nothing while none comes.
 */
export async function typingAudience(
  me: string,
  conversationId: string,
  check: () => Promise<{ conversation: ConversationDoc; value: string[]; until?: number }>,
): Promise<{ conversation: ConversationDoc; audience: string[] }> {
  const { conversation, value } = await remembered(typingAudiences, me, conversationId, () => true, check);
  return { conversation, audience: value };
}

const isLive = (e: Entry<unknown>) => conversations.get(String(e.shared.conversation._id)) === e.shared;

function forget(change: string): void {
  generation++;
  if (change === '*') {
    conversations.clear();
    entries.clear();
    typingAudiences.clear();
    return;
  }
  const [kind, id] = [change[0], change.slice(2)];
  // An entry whose conversation is gone is never used again (and goes when room is made).
  if (kind === 'c') conversations.delete(id);
  else for (const [key, shared] of conversations) if (shared.memberIds.has(id)) conversations.delete(key);
}

/** Something changed who may send: forget what the conversations or the people touch, in every process. */
export function sendAccessChanged(change: { conversationId?: string; userIds?: string[]; everything?: true }): void {
  const changes = [
    ...(change.everything ? ['*'] : []),
    ...(change.conversationId ? [`c:${change.conversationId}`] : []),
    ...(change.userIds ?? []).map((id) => `u:${id}`),
  ];
  for (const c of changes) {
    forget(c);
    publish?.(c);
  }
}

/** Shares changes with the other processes on this Redis; returns a function that stops it. */
export async function shareSendAccessChanges(redis: RedisClient, prefix: string): Promise<() => Promise<void>> {
  const channel = `${prefix}chat:access`;
  const sub = redis.duplicate();
  sub.on('error', (err: Error) => logger.error('send access subscriber error', { error: err.message }));
  // Changes published while the subscriber was away are not heard: back, it forgets everything.
  sub.on('ready', () => forget('*'));
  await sub.connect();
  await sub.subscribe(channel, (change) => forget(change));
  publish = (change) =>
    void redis.publish(channel, change).catch((err: unknown) => {
      // Not told, the others keep their entries for at most ENTRY_MS.
      logger.warn('send access change not shared', { error: errorMessage(err) });
    });
  return async () => {
    publish = undefined;
    if (sub.isOpen) await sub.close();
  };
}
