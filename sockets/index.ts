import { countLater, recordSession } from '../services/analytics/record.js';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server, type DisconnectReason } from 'socket.io';
import { closeRedis, type RedisClient } from '../services/redis.service.js';
import type { LiveParts } from '../parts.js';
import { RateLimitedError } from '../services/limits/action-limiter.js';
import type { Matchmaker } from '../services/match/matchmaker.js';
import type { PresenceTracker } from '../services/presence/presence.service.js';
import { PresenceUnavailableError } from '../services/presence/presence.store.js';
import { onSessionEnded } from '../services/auth/session-revocations.js';
import { registerRealtimeSink } from '../services/realtime.service.js';
import { stopTypingTimers } from '../services/chat/typing.service.js';
import type { AccessTokens } from '../utils/jwt.js';
import { errorMessage, logger } from '../utils/logger.js';
import { gaugeFrom, socketConnections } from '../utils/metrics.js';
import { userRoom } from './rooms.js';
import { refuse, socketAuth, watchTokenExpiry } from './socket-auth.js';
import { socketLimits, type SocketRateLimit } from './socket-rate-limit.js';
import type { AppServer, AppSocket } from './socket.types.js';
import { callHandlers } from './call.handlers.js';
import { chatHandlers } from './chat.handlers.js';
import { matchHandlers } from './match.handlers.js';
import { eventDispatcher } from './payload.js';
import { systemHandlers } from './system.handlers.js';
import { startAdminLive } from './admin-live.js';
import { UnsignedConnectionsByAddress } from './address-connections.js';
import { closingOnRefusal, firstConnectOnly } from './one-sign-in.js';
import { guardTransports } from './transport-guard.js';

export interface SocketDeps {
  accessTokens: AccessTokens;
  corsOrigins: string[];
  /** With Redis, several processes share rooms and broadcasts. */
  redis?: RedisClient;
  /** The live parts built where the process is assembled (parts.ts): budgets, presence, matchmaker. */
  parts: LiveParts;
  /** Per-user event budget of this process. */
  eventLimit: SocketRateLimit;
  /** Sockets one account may hold open at once, in every process. */
  socketsPerUser: number;
  /** How often admins' sockets hear the live figures. */
  adminLiveMs: number;
  /** Heartbeat: how often the server pings, and how long it waits for the answer (a dropped network shows after both). */
  ping: { intervalMs: number; timeoutMs: number };
  /** How long an opened connection may go without signing in before it is closed. */
  connectTimeoutMs: number;
  /** The client's address behind the proxies config trusts. */
  clientAddress?: (req: IncomingMessage) => string;
  /** Connections one address may hold open in this process before they sign in. */
  connectionsPerAddress: number;
}

/** What closeSocketServer stops, per server. */
interface Running {
  unregisterSink: () => void;
  presence: PresenceTracker;
  matchmaker: Matchmaker;
  stopExpiryWatch: () => void;
  stopEndingSessions: () => void;
  stopAdminLive: () => void;
  /** Disconnect handling still running (presence, tickets, calls), which shutdown waits for. */
  pending: Set<Promise<unknown>>;
  subscriber?: RedisClient;
}
const running = new WeakMap<AppServer, Running>();

export { userRoom } from './rooms.js';

export async function createSocketServer(httpServer: HttpServer, deps: SocketDeps): Promise<AppServer> {
  const allowed = new Set(deps.corsOrigins);
  const addressOf = deps.clientAddress ?? ((req: IncomingMessage) => req.socket.remoteAddress ?? 'unknown');
  const unsigned = new UnsignedConnectionsByAddress(deps.connectionsPerAddress, addressOf);
  const io: AppServer = new Server(httpServer, {
    cors: { origin: deps.corsOrigins, credentials: true },
    allowRequest: (req, callback) => {
      // CORS does not bind WebSockets: refuse foreign origins ourselves (cookie-authenticated hijacking).
      const origin = req.headers.origin;
      if (origin !== undefined && !allowed.has(origin)) return callback('Origin not allowed', false);
      if (!unsigned.admits(req)) return callback('Too many connections from this address waiting to sign in', false);
      callback(null, true);
    },
    maxHttpBufferSize: 100_000,
    pingInterval: deps.ping.intervalMs,
    pingTimeout: deps.ping.timeoutMs,
    connectTimeout: deps.connectTimeoutMs,
  });
  unsigned.track(io);
  // A client silent that long would be closed by the heartbeat: one that only takes nothing, too.
  guardTransports(io, deps.ping.intervalMs + deps.ping.timeoutMs);
  let subscriber: RedisClient | undefined;
  if (deps.redis) {
    subscriber = deps.redis.duplicate();
    subscriber.on('error', (err: Error) => logger.error('redis subscriber error', { error: err.message }));
    await subscriber.connect();
    io.adapter(createAdapter(publishCaught(deps.redis), subscriber));
  }
  const unregisterSink = registerRealtimeSink({
    // Services name events as strings; socket.types lists them for clients.
    toUsers: (userIds, event, payload) =>
      void (io.to(userIds.map(userRoom)) as { emit(e: string, p: unknown): boolean }).emit(event, payload),
  });
  // A session ended here or elsewhere (its id comes through Redis): its sockets in this process
  // close. A scan, not a room per socket (a room costs every socket), and one scan per turn of
  // the event loop for all the sessions ended in it: ending thousands at once scans once.
  const endedSessions = new Set<string>();
  const closeEndedSessions = () => {
    const ended = new Set(endedSessions);
    endedSessions.clear();
    for (const socket of io.of('/').sockets.values()) {
      const sid = socket.data.user?.sid;
      if (sid !== undefined && ended.has(sid)) socket.disconnect(true);
    }
  };
  const stopEndingSessions = onSessionEnded((sessionId) => {
    if (endedSessions.size === 0) setImmediate(closeEndedSessions);
    endedSessions.add(sessionId);
  });

  const { presence, matchmaker, actions } = deps.parts;
  const cap = deps.socketsPerUser;

  io.use(firstConnectOnly);
  io.use(closingOnRefusal(socketAuth(deps.accessTokens)));
  // Before any event: the account's connection budget, then its cap of open sockets. The
  // socket is counted first and taken back when over the cap, so handshakes at once cannot
  // all slip under it.
  io.use(
    closingOnRefusal((socket, next) => {
      const userId = socket.data.user.sub;
      const refused = async () => {
        await presence.disconnected(userId, socket.id);
        return refuse('TOO_MANY_SOCKETS', `At most ${cap} connections per account`);
      };
      actions
        .take('socketConnect', { userId, ip: addressOf(socket.request) })
        .then(async () => {
          const open = await presence.connected(userId, socket.id);
          if (open > cap) return refused();
          // Closed while it was being counted: Socket.IO drops it without a 'disconnect', so it
          // is taken back here (else its count, and the user's "online", would stay for good).
          if (socket.conn.readyState !== 'open') {
            await presence.disconnected(userId, socket.id);
            return refuse('CONNECTION_CLOSED', 'The connection closed during its handshake');
          }
        })
        .then(
          (err) => next(err),
          (err: unknown) => {
            if (err instanceof RateLimitedError) return next(refuse('RATE_LIMITED', 'Too many connections'));
            // The store's own error (a Redis address, a timeout) is not the client's to read. One
            // line per failed try, none per refusal while the store is known to be away.
            if (!(err instanceof PresenceUnavailableError))
              logger.warn('socket connection not counted', { error: errorMessage(err) });
            next(refuse('REALTIME_UNAVAILABLE', 'Live connections cannot be counted right now: try again shortly'));
          },
        );
    }),
  );
  const limited = socketLimits(deps.eventLimit, actions);
  // Every client event's handler, once for all sockets.
  const dispatch = eventDispatcher({
    ...systemHandlers(deps.accessTokens),
    ...chatHandlers,
    ...callHandlers,
    ...matchHandlers(matchmaker),
  });
  const pending = new Set<Promise<unknown>>();
  const adminLive = startAdminLive(io, deps.parts, deps.adminLiveMs);
  gaugeFrom('socket_connected', 'Socket.IO connections open in this process', () => io.engine.clientsCount);
  gaugeFrom(
    'matchmaking_queue_size',
    'People waiting in the random-match queues (shared by every process)',
    async () => [
      [{ mode: 'chat' }, await matchmaker.store.size('chat')],
      [{ mode: 'video' }, await matchmaker.store.size('video')],
    ],
    ['mode'],
  );

  // One listener for every socket (the socket is `this`): nothing kept per connection for it (S6).
  function onDisconnect(this: AppSocket, reason: DisconnectReason) {
    const userId = this.data.user.sub;
    // Its one socket left but the transport stayed: closed, as it is no longer counted anywhere.
    if (reason === 'client namespace disconnect') this.conn.close();
    // The session began with the handshake (its time kept by Socket.IO, ms before 'connection').
    const startedAt = new Date(this.handshake.issued);
    countLater(() => recordSession(userId, startedAt));
    const handled = presence
      .disconnected(userId, this.id)
      .catch((err: unknown) => logger.error('disconnect handling failed', { error: errorMessage(err) }))
      .finally(() => pending.delete(handled));
    pending.add(handled);
  }

  io.on('connection', (socket: AppSocket) => {
    socketConnections.inc();
    unsigned.release(socket.conn);
    socket.on('disconnect', onDisconnect);
    // One middleware (one closure) per socket: the limits, then the event's handler.
    socket.use((packet, next) => limited(socket, packet, (err) => (err ? next(err) : dispatch(socket, packet, next))));
    void socket.join(userRoom(socket.data.user.sub));
    adminLive.joined(socket);
  });
  presence.start();
  matchmaker.start();
  const stopExpiryWatch = watchTokenExpiry(io);
  running.set(io, {
    unregisterSink,
    presence,
    matchmaker,
    stopExpiryWatch,
    stopEndingSessions,
    stopAdminLive: adminLive.stop,
    pending,
    subscriber,
  });
  return io;
}

/**
 * The adapter publishes without waiting (fire and forget): with Redis gone, each publish's
 * rejection would be unhandled and end the process. It is logged here instead, and the
 * client reconnects by itself; what was published meanwhile is caught up by chat:sync.
 */
function publishCaught(redis: RedisClient): RedisClient {
  return new Proxy(redis, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === 'publish') {
        return (...args: Parameters<RedisClient['publish']>) => {
          const sent = target.publish(...args);
          sent.catch((err: unknown) => logger.warn('socket broadcast not published', { error: errorMessage(err) }));
          return sent;
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Disconnects every socket and lets their disconnect handling finish (presence, match
 * tickets, calls; at most `timeoutMs`) before the caller closes the database and Redis;
 * then stops the engine and the adapter's subscriber.
 */
export async function closeSocketServer(io: AppServer, timeoutMs: number): Promise<void> {
  const r = running.get(io);
  r?.stopExpiryWatch();
  r?.stopEndingSessions();
  r?.stopAdminLive();
  r?.matchmaker.stop();
  // This process's sockets only, at once: io.disconnectSockets would go through the adapter,
  // later, and to every process's sockets. The transport is closed, not the socket told to
  // go: a client hears "transport close" and reconnects (to the other process behind
  // nginx), where "io server disconnect" would leave it waiting for its app to reconnect.
  // Discarding what is still buffered: a client that stops reading cannot hold shutdown.
  for (const socket of io.of('/').sockets.values()) socket.conn.close(true);
  if (r) {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.allSettled([...r.pending]).then(() => r.presence.flush()), deadline]);
    clearTimeout(timer);
    // Past the deadline flush may not have run: its timers stop here all the same.
    r.presence.stop();
    // Only now: what disconnect handling told other processes' users went out through it.
    r.unregisterSink();
  }
  stopTypingTimers();
  io.engine.close();
  await closeRedis(r?.subscriber);
}
