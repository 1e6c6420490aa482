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

interface Entry {
  conversation: ConversationDoc;
  memberIds: Set<string>;
  until: number;
  /** Checked while chat needed a plan (an answer given without that rule does not hold once it is on). */
  strict: boolean;
}
const entries = new Map<string, Entry>();
// Bumped by every change: a check that began before one is not remembered.
let generation = 0;
let publish: ((change: string) => void) | undefined;
const keyOf = (conversationId: string, userId: string) => `${conversationId}:${userId}`;

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
  const key = keyOf(conversationId, me);
  const known = entries.get(key);
  if (known && known.until > Date.now() && (known.strict || !strict)) return known.conversation;
  const started = generation;
  const { conversation, until } = await check();
  if (started === generation) {
    entries.delete(key);
    if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
    entries.set(key, {
      conversation,
      memberIds: new Set(conversation.memberIds.map(String)),
      until: Math.min(Date.now() + ENTRY_MS, until ?? Infinity),
      strict,
    });
  }
  return conversation;
}

function forget(change: string): void {
  generation++;
  if (change === '*') return entries.clear();
  const [kind, id] = [change[0], change.slice(2)];
  for (const [key, entry] of entries) {
    if (kind === 'c' ? String(entry.conversation._id) === id : entry.memberIds.has(id)) entries.delete(key);
  }
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
