import { MemoryLiveCounters, RedisLiveCounters, useLiveCounters } from './services/analytics/live.js';
import type { Config } from './config/index.js';
import { accessTokens } from './services/auth/auth.service.js';
import { createActionLimiter, type ActionLimiter } from './services/limits/action-limiter.js';
import { endCallsOf } from './services/match/call.service.js';
import { Matchmaker } from './services/match/matchmaker.js';
import { MemoryQueueStore, RedisQueueStore } from './services/match/queue.store.js';
import { PresenceTracker, usePresenceStore } from './services/presence/presence.service.js';
import { MemoryPresenceStore, RedisPresenceStore } from './services/presence/presence.store.js';
import type { RedisClient } from './services/redis.service.js';
import type { SocketDeps } from './sockets/index.js';

/** The live parts of a process that both doors use: built here, once, and handed in. */
export interface LiveParts {
  /** Per-account and per-address budgets, shared by the HTTP routes and the socket events. */
  actions: ActionLimiter;
  /** Who has a socket open, in every process; what ends when someone's last one closes. */
  presence: PresenceTracker;
  matchmaker: Matchmaker;
}

/**
 * Builds the live parts on Redis when it is configured (several processes act as one),
 * else in memory. `prefix` keeps one deployment's (or test run's) keys apart.
 */
export function buildLiveParts(config: Config, redis: RedisClient | undefined, prefix = config.limits.prefix): LiveParts {
  const presenceStore = redis ? new RedisPresenceStore(redis, `${prefix}presence:`) : new MemoryPresenceStore();
  const matchmaker = new Matchmaker(redis ? new RedisQueueStore(redis, `${prefix}mq:`) : new MemoryQueueStore(), presenceStore);
  // With someone's last socket gone (and not back within the reconnect grace), their calls end and their queue ticket and pending match go.
  const presence = new PresenceTracker(presenceStore, {
    onLastSocketGone: (userId) => Promise.all([endCallsOf(userId), matchmaker.userGone(userId)]),
  });
  // The REST presence batch reads the same store.
  usePresenceStore(presenceStore);
  // The admins' live rates read the same counters in every process.
  useLiveCounters(redis ? new RedisLiveCounters(redis, `${prefix}live:`) : new MemoryLiveCounters());
  return { actions: createActionLimiter(config.limits.actions, redis, prefix), presence, matchmaker };
}

/** What the socket server takes from the configuration and the live parts; a process may add how it reads client addresses. */
export function socketDeps(config: Config, redis: RedisClient | undefined, parts: LiveParts): SocketDeps {
  return {
    accessTokens,
    corsOrigins: config.corsOrigins,
    redis,
    parts,
    eventLimit: { events: config.chat.socketEventsPerSecond, windowMs: 1000 },
    socketsPerUser: config.limits.socketsPerUser,
    connectionsPerAddress: config.limits.socketsPerAddress,
    adminLiveMs: config.adminLiveMs,
    ping: config.socketPing,
    connectTimeoutMs: config.socketConnectTimeoutMs,
  };
}
