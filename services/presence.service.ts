import { Types } from 'mongoose';
import { config } from '../config/index.js';
import { Connection } from '../models/connection.model.js';
import { User } from '../models/user.model.js';
import { logger } from '../utils/logger.js';
import { hiddenUserIds } from './block.service.js';
import { publishToUsers } from './realtime.service.js';
import type { RedisClient } from './redis.service.js';

/**
 * Which users have at least one socket open, across every process: in memory for one
 * process, in Redis (a set of socket ids per user) when REDIS_URL is set.
 */
export interface PresenceStore {
  /** Returns how many sockets the user has now. */
  add(userId: string, socketId: string): Promise<number>;
  remove(userId: string, socketId: string): Promise<number>;
  count(userId: string): Promise<number>;
}

export class MemoryPresenceStore implements PresenceStore {
  private readonly sockets = new Map<string, Set<string>>();
  async add(userId: string, socketId: string) {
    const set = this.sockets.get(userId) ?? new Set<string>();
    set.add(socketId);
    this.sockets.set(userId, set);
    return set.size;
  }
  async remove(userId: string, socketId: string) {
    const set = this.sockets.get(userId);
    set?.delete(socketId);
    if (set && set.size === 0) this.sockets.delete(userId);
    return set?.size ?? 0;
  }
  async count(userId: string) {
    return this.sockets.get(userId)?.size ?? 0;
  }
}

export class RedisPresenceStore implements PresenceStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix = 'presence:',
  ) {}
  async add(userId: string, socketId: string) {
    await this.redis.sAdd(this.prefix + userId, socketId);
    return this.redis.sCard(this.prefix + userId);
  }
  async remove(userId: string, socketId: string) {
    await this.redis.sRem(this.prefix + userId, socketId);
    return this.redis.sCard(this.prefix + userId);
  }
  async count(userId: string) {
    return this.redis.sCard(this.prefix + userId);
  }
}

/**
 * Who hears about a user's presence: their connections, not everyone, and never anyone
 * blocked either way (a block leaves the connection record, not the right to see).
 * (Direct conversation partners are connections: chatting needs an accepted connection.)
 */
async function audienceOf(userId: string): Promise<string[]> {
  const [connections, hidden] = await Promise.all([
    Connection.find({ memberIds: new Types.ObjectId(userId), status: 'accepted' }, { memberIds: 1 }).lean(),
    hiddenUserIds(userId),
  ]);
  const ids = new Set(connections.flatMap((r) => r.memberIds.map(String)));
  ids.delete(userId);
  for (const id of hidden) ids.delete(String(id));
  return [...ids];
}

async function hidesPresence(userId: string): Promise<boolean> {
  const user = await User.findById(userId, { availability: 1 }).lean();
  return user?.availability === 'invisible';
}

export interface PresenceEvent {
  userId: string;
  online: boolean;
  lastSeenAt?: Date;
}

async function announce(userId: string, event: PresenceEvent): Promise<void> {
  if (await hidesPresence(userId)) return;
  publishToUsers(await audienceOf(userId), 'presence:changed', event);
}

/**
 * Online with the first socket; offline only after the last has been gone for the grace
 * period, so a reconnect (a flaky network, a page reload) never flaps.
 */
export class PresenceTracker {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly store: PresenceStore,
    private readonly graceMs = config.chat.presenceGraceMs,
  ) {}

  async connected(userId: string, socketId: string): Promise<void> {
    // Back within the grace period: still online to everyone, so nothing to say.
    const returning = this.timers.has(userId);
    clearTimeout(this.timers.get(userId));
    this.timers.delete(userId);
    if ((await this.store.add(userId, socketId)) === 1 && !returning) await announce(userId, { userId, online: true });
  }

  /** Returns how many sockets the user still has (in every process). */
  async disconnected(userId: string, socketId: string): Promise<number> {
    const remaining = await this.store.remove(userId, socketId);
    if (remaining > 0) return remaining;
    clearTimeout(this.timers.get(userId));
    const timer = setTimeout(() => {
      this.timers.delete(userId);
      void this.settle(userId).catch((err: unknown) =>
        logger.error('presence update failed', { error: err instanceof Error ? err.message : String(err) }),
      );
    }, this.graceMs);
    timer.unref();
    this.timers.set(userId, timer);
    return 0;
  }

  private async settle(userId: string): Promise<void> {
    if ((await this.store.count(userId)) > 0) return;
    const lastSeenAt = new Date();
    await User.updateOne({ _id: userId }, { $set: { lastSeenAt } });
    await announce(userId, { userId, online: false, lastSeenAt });
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

let store: PresenceStore = new MemoryPresenceStore();
/** The socket server sets the store it tracks with, so the REST batch reads the same one. */
export const usePresenceStore = (s: PresenceStore) => void (store = s);

/** Presence of several users, for those the caller may see (connections and partners); others are unknown (null). */
export async function presenceOf(viewerId: string, ids: string[]) {
  const audience = new Set(await audienceOf(viewerId));
  return Promise.all(
    ids.map(async (userId) => {
      if (!audience.has(userId) || (await hidesPresence(userId))) return { userId, online: null };
      const [count, user] = await Promise.all([store.count(userId), User.findById(userId, { lastSeenAt: 1 }).lean()]);
      return { userId, online: count > 0, ...(user?.lastSeenAt ? { lastSeenAt: user.lastSeenAt } : {}) };
    }),
  );
}
