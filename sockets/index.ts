import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import type { RedisClient } from '../services/redis.service.js';
import { endCallsOf } from '../services/call.service.js';
import { Matchmaker } from '../services/match/match.service.js';
import { MemoryQueueStore, RedisQueueStore } from '../services/match/queue.store.js';
import { MemoryPresenceStore, PresenceTracker, RedisPresenceStore, usePresenceStore } from '../services/presence.service.js';
import { registerRealtimeSink } from '../services/realtime.service.js';
import type { AccessTokens } from '../utils/jwt.js';
import { logger } from '../utils/logger.js';
import { sessionRoom, userRoom } from './rooms.js';
import { socketAuth } from './socket-auth.js';
import { limitSocketEvents, type SocketRateLimit } from './socket-rate-limit.js';
import type { AppServer } from './socket.types.js';
import { registerCallHandlers } from './call.handlers.js';
import { registerChatHandlers } from './chat.handlers.js';
import { registerMatchHandlers } from './match.handlers.js';
import { registerSystemHandlers } from './system.handlers.js';

export interface SocketDeps {
  accessTokens: AccessTokens;
  corsOrigins: string[];
  /** With Redis, several processes share rooms and broadcasts. */
  redis?: RedisClient;
  /** Prefix of the Redis keys for the queue and presence (one per deployment or test run). */
  keyPrefix?: string;
  /** Per-socket event budget; 20 a second by default. */
  eventLimit?: SocketRateLimit;
}

const subscribers = new WeakMap<AppServer, RedisClient>();
const unregisterSinks = new WeakMap<AppServer, () => void>();
const trackers = new WeakMap<AppServer, PresenceTracker>();
const matchmakers = new WeakMap<AppServer, Matchmaker>();

export { userRoom } from './rooms.js';

export async function createSocketServer(httpServer: HttpServer, deps: SocketDeps): Promise<AppServer> {
  const allowed = new Set(deps.corsOrigins);
  const io: AppServer = new Server(httpServer, {
    cors: { origin: deps.corsOrigins, credentials: true },
    // CORS does not bind WebSockets: refuse foreign origins ourselves (cookie-authenticated hijacking).
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      callback(null, origin === undefined || allowed.has(origin));
    },
    maxHttpBufferSize: 100_000,
    pingInterval: 25_000,
    pingTimeout: 20_000,
  });
  if (deps.redis) {
    const sub = deps.redis.duplicate();
    sub.on('error', (err: Error) => logger.error('redis subscriber error', { error: err.message }));
    await sub.connect();
    io.adapter(createAdapter(deps.redis, sub));
    subscribers.set(io, sub);
  }
  unregisterSinks.set(
    io,
    // Services name events as strings; socket.types lists them for clients.
    registerRealtimeSink({
      toUsers: (userIds, event, payload) =>
        void (io.to(userIds.map(userRoom)) as { emit(e: string, p: unknown): boolean }).emit(event, payload),
      endSession: (sessionId) => io.in(sessionRoom(sessionId)).disconnectSockets(true),
    }),
  );
  io.use(socketAuth(deps.accessTokens));
  const matchmaker = new Matchmaker(
    deps.redis ? new RedisQueueStore(deps.redis, `${deps.keyPrefix ?? ''}mq:`) : new MemoryQueueStore(),
  );
  matchmaker.start();
  matchmakers.set(io, matchmaker);
  const presenceStore = deps.redis
    ? new RedisPresenceStore(deps.redis, `${deps.keyPrefix ?? ''}presence:`)
    : new MemoryPresenceStore();
  const presence = new PresenceTracker(presenceStore);
  usePresenceStore(presenceStore);
  trackers.set(io, presence);
  io.on('connection', (socket) => {
    const userId = socket.data.user.sub;
    void presence.connected(userId, socket.id).catch(() => undefined);
    socket.on('disconnect', () => {
      // With the last socket gone, the user's calls end at once and the other side hears it.
      void presence
        .disconnected(userId, socket.id)
        .then((remaining) => (remaining === 0 ? Promise.all([endCallsOf(userId), matchmaker.userGone(userId)]) : undefined))
        .catch((err: unknown) =>
          logger.error('disconnect handling failed', { error: err instanceof Error ? err.message : String(err) }),
        );
    });
    limitSocketEvents(socket, deps.eventLimit ?? { events: 20, windowMs: 1000 });
    void socket.join([userRoom(socket.data.user.sub), sessionRoom(socket.data.user.sid)]);
    registerSystemHandlers(socket);
    registerChatHandlers(socket);
    registerCallHandlers(socket);
    registerMatchHandlers(socket, matchmaker);
  });
  return io;
}

/** Disconnects every socket, stops the engine and the adapter's subscriber. */
export async function closeSocketServer(io: AppServer): Promise<void> {
  unregisterSinks.get(io)?.();
  trackers.get(io)?.stop();
  matchmakers.get(io)?.stop();
  io.disconnectSockets(true);
  io.engine.close();
  const sub = subscribers.get(io);
  if (sub?.isOpen) await sub.close();
}
