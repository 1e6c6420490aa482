/**
 * Server-to-client events from services, without services knowing Socket.IO. The socket
 * server registers itself here; with the Redis adapter one registered server reaches
 * every process's sockets. With none (a script, a test without sockets) events go nowhere.
 */
export interface RealtimeEvents {
  'connection:request': { requestId: string; from: { id: string; username: string; firstName: string } };
  'connection:accepted': { connectionId: string; user: { id: string; username: string; firstName: string } };
  'post:ready': { postId: string; post: unknown };
  'post:failed': { postId: string; reason: string };
  'post:counters': { postId: string; counters: unknown };
  'post:mentioned': { postId: string; commentId?: string; by: { id: string; username: string } };
}

export interface RealtimeSink {
  /** Every socket of every listed user, once each (one adapter publish for all of them). */
  toUsers(userIds: string[], event: string, payload: unknown): void;
  /** Closes every socket opened with the session's tokens, in every process. */
  endSession?(sessionId: string): void;
}

const sinks: RealtimeSink[] = [];

export function registerRealtimeSink(sink: RealtimeSink): () => void {
  sinks.push(sink);
  return () => {
    const i = sinks.indexOf(sink);
    if (i >= 0) sinks.splice(i, 1);
  };
}

export function publishToUser<E extends keyof RealtimeEvents>(userId: string, event: E, payload: RealtimeEvents[E]): void {
  sinks.at(-1)?.toUsers([userId], event, payload);
}

/** Chat and presence events to many users at once (conversation members, connections). */
export function publishToUsers(userIds: string[], event: string, payload: unknown): void {
  if (userIds.length) sinks.at(-1)?.toUsers(userIds, event, payload);
}

/** A session was ended (by its owner, or a password change): its sockets go too. */
export function endSessionSockets(sessionId: string): void {
  sinks.at(-1)?.endSession?.(sessionId);
}
