import type { UploadView } from './chat/attachment.service.js';
import type { SharedConversationView } from './chat/conversation.service.js';
import type { MessageView } from './chat/message.service.js';
import type { PresenceEvent } from './presence/presence-announcements.js';
import type { UserCard } from './people/profile.service.js';
import type { postView } from './posts/post.view.js';
import type { NotificationView } from './notifications/notification.service.js';
import type { CounterName } from '../models/engagement-counts.js';

/**
 * Server-to-client events from services, without services knowing Socket.IO. The socket
 * server registers itself here; with the Redis adapter one registered server reaches
 * every process's sockets. With none (a script, a test without sockets) events go nowhere.
 */
type Card = UserCard | { id: string };
type PersonRef = { id: string; username: string; firstName: string };

/**
 * Every event the server sends to clients, with its payload: the one list services
 * publish from and the socket server's types (and clients) are derived from.
 */
export interface RealtimeEvents {
  'connection:request': { requestId: string; from: PersonRef };
  'connection:accepted': { connectionId: string; user: PersonRef };
  'chat:message': MessageView;
  'chat:edited': MessageView;
  'chat:deleted': { id: string; conversationId: string };
  /** An upload of the sender's is ready to send, or failed (to the sender only). */
  'chat:attachment': UploadView;
  'chat:typing': { conversationId: string; userId: string; isTyping: boolean; ttlMs: number };
  'chat:read': { conversationId: string; userId: string; upToMessageId: string; upToSeq: number };
  'chat:reaction': {
    messageId: string;
    conversationId: string;
    userId: string;
    emoji: string;
    added: boolean;
    reactions: Record<string, number>;
  };
  /** A group's name, members or admins changed (no unread count: that is each member's own). */
  'conversation:updated': SharedConversationView | { id: string; removed: true };
  'presence:changed': PresenceEvent;
  'call:incoming': { callId: string; mode: string; expiresAt: Date; from: Card };
  'call:accepted': { callId: string };
  'call:ended': { callId: string; reason: string; durationSec: number };
  /** WebRTC signaling relayed from the peer (`from`), as the peer sent it. */
  'rtc:offer': { callId: string; sdp: string; from: string };
  'rtc:answer': { callId: string; sdp: string; from: string };
  'rtc:ice': {
    callId: string;
    // RTCIceCandidateInit; in a random match's call a relayed candidate only, its raddr blanked.
    candidate: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null; usernameFragment?: string | null };
    from: string;
  };
  'match:searching': { mode: string };
  /** The user's ticket left the queue (reason 'left': at their word, on any of their devices): no longer searching. */
  'match:left': { reason: 'left' };
  'match:found': { matchId: string; mode: string; expiresAt: Date; partner: Card };
  /** callerId (video): who sends the WebRTC offer. */
  'match:accepted': { matchId: string; conversationId?: string; callId?: string; callerId?: string };
  'match:ended': { matchId: string; reason: string };
  'post:ready': { postId: string; post: ReturnType<typeof postView> };
  'post:failed': { postId: string; reason: string };
  'post:counters': { postId: string; counters: Partial<Record<CounterName, number>> };
  'post:mentioned': { postId: string; commentId?: string; by: { id: string; username: string } };
  /** A new notice, or a grouped one that gathered another actor (same id: replace it). */
  'notification:new': NotificationView;
  'notification:count': { unread: number };
}

export type RealtimeEvent = keyof RealtimeEvents;

export interface RealtimeSink {
  /** Every socket of every listed user, once each (one adapter publish for all of them). */
  toUsers(userIds: string[], event: string, payload: unknown): void;
}

const sinks: RealtimeSink[] = [];

export function registerRealtimeSink(sink: RealtimeSink): () => void {
  sinks.push(sink);
  return () => {
    const i = sinks.indexOf(sink);
    if (i >= 0) sinks.splice(i, 1);
  };
}

export function publishToUser<E extends RealtimeEvent>(userId: string, event: E, payload: RealtimeEvents[E]): void {
  sinks.at(-1)?.toUsers([userId], event, payload);
}

/** Chat and presence events to many users at once (conversation members, connections). */
export function publishToUsers<E extends RealtimeEvent>(userIds: string[], event: E, payload: RealtimeEvents[E]): void {
  if (userIds.length) sinks.at(-1)?.toUsers(userIds, event, payload);
}
