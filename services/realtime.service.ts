/**
 * Server-to-client events from services, without services knowing Socket.IO. The socket
 * server registers itself here; with the Redis adapter one registered server reaches
 * every process's sockets. With none (a script, a test without sockets) events go nowhere.
 */
export interface RealtimeEvents {
  'connection:request': { requestId: string; from: { id: string; username: string; firstName: string } };
  'connection:accepted': { connectionId: string; user: { id: string; username: string; firstName: string } };
}

export interface RealtimeSink {
  toUser<E extends keyof RealtimeEvents>(userId: string, event: E, payload: RealtimeEvents[E]): void;
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
  sinks.at(-1)?.toUser(userId, event, payload);
}
