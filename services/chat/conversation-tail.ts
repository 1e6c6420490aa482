import { Types } from 'mongoose';
import { Conversation, ConversationMember } from '../../models/conversation.model.js';
import { CoalescingWriter } from '../../utils/coalescing-writer.js';
import { errorMessage, logger } from '../../utils/logger.js';

/**
 * What a send changes besides the message, written after its ack: the conversation's last
 * message (number, sender, time) and the sender's read pointer. Each is written behind,
 * the newest value per conversation (per member) at most every TAIL_WRITE_MS, and only
 * forward. This process's readers overlay what is not yet stored (withTail, readPointer),
 * so a member reads their own sends at once; another process sees them one write later.
 * A crash may lose the last of these writes: history's latest page and chat:sync read past
 * the recorded end, the next send in the conversation records it again, and read pointers
 * only lag.
 */
const TAIL_WRITE_MS = 500;
/** How far behind the stored tails may be, with room to spare (for readers in other processes). */
export const TAIL_LAG_MS = 10_000;

export interface Tail {
  seq: number;
  id: Types.ObjectId;
  senderId: string;
  createdAt: Date;
}

const tails = new CoalescingWriter<Tail>({
  newer: (a, b) => a.seq > b.seq,
  write: (conversationId, t) =>
    Conversation.updateOne(
      { _id: conversationId, seq: { $lt: t.seq } },
      {
        $set: { seq: t.seq, lastMessageAt: t.createdAt, lastMessage: { id: t.id, senderId: t.senderId, createdAt: t.createdAt } },
      },
    ),
  onError: (conversationId, err) => logger.warn('last message not recorded', { conversationId, error: errorMessage(err) }),
  minIntervalMs: TAIL_WRITE_MS,
});

const pointers = new CoalescingWriter<number>({
  newer: (a, b) => a > b,
  write: (key, seq) => {
    const [conversationId, userId] = key.split(':');
    return ConversationMember.updateOne({ conversationId, userId, lastReadSeq: { $lt: seq } }, { $set: { lastReadSeq: seq } });
  },
  onError: (key, err) => logger.warn('read pointer not moved', { key, error: errorMessage(err) }),
  minIntervalMs: TAIL_WRITE_MS,
});

export function recordTail(conversationId: string, tail: Tail): void {
  tails.put(conversationId, tail);
  // The sender has read their own message.
  pointers.put(`${conversationId}:${tail.senderId}`, tail.seq);
}

interface TailFields {
  _id: Types.ObjectId;
  seq?: number | null;
  lastMessageAt?: Date | null;
  lastMessage?: { id?: Types.ObjectId | null; senderId?: Types.ObjectId | null; createdAt?: Date | null } | null;
}

/** The conversation as stored, with this process's unwritten last message laid over it. */
export function withTail<C extends TailFields>(conversation: C): C {
  const t = tails.pending(String(conversation._id));
  if (!t || t.seq <= (conversation.seq ?? 0)) return conversation;
  return {
    ...conversation,
    seq: t.seq,
    lastMessageAt: t.createdAt,
    lastMessage: { id: t.id, senderId: new Types.ObjectId(t.senderId), createdAt: t.createdAt },
  };
}

/** A member's read pointer as stored, moved by this process's unwritten one. */
export function readPointer(conversationId: string, userId: string, stored: number | undefined): number {
  return Math.max(stored ?? 0, pointers.pending(`${conversationId}:${userId}`) ?? 0);
}

/** Writes every waiting tail and pointer now (shutdown; tests before they read the database). */
export async function flushConversationTails(): Promise<void> {
  await Promise.all([tails.flush(), pointers.flush()]);
}
