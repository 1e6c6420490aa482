import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { Connection } from '../../models/connection.model.js';
import { User } from '../../models/user.model.js';
import { LatestPerKeyBatches } from '../../utils/latest-per-key-batches.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { hiddenUserIds } from '../people/block.service.js';
import { publishToUsers } from '../realtime.service.js';
import { MemoryPresenceStore, type PresenceStore } from './presence.store.js';

/**
 * Who hears about a user's presence: their connections, not everyone, and never anyone
 * blocked either way (a block leaves the connection record, not the right to see).
 * (Direct conversation partners are connections: chatting needs an accepted connection.)
 */
async function audienceOf(userId: string): Promise<string[]> {
  // The driver directly, as hiddenUserIds: every first connect and last disconnect reads this.
  const [connections, hidden] = await Promise.all([
    Connection.collection
      .find<{ memberIds: Types.ObjectId[] }>(
        { memberIds: new Types.ObjectId(userId), status: 'accepted' },
        { projection: { _id: 0, memberIds: 1 } },
      )
      .toArray(),
    hiddenUserIds(userId),
  ]);
  const ids = new Set(connections.flatMap((r) => r.memberIds.map(String)));
  ids.delete(userId);
  for (const id of hidden) ids.delete(String(id));
  return [...ids];
}

async function hidesPresence(userId: string): Promise<boolean> {
  const user = await User.collection.findOne<{ availability?: string }>(
    { _id: new Types.ObjectId(userId) },
    { projection: { _id: 0, availability: 1 } },
  );
  return user?.availability === 'invisible';
}

export interface PresenceEvent {
  userId: string;
  online: boolean;
  lastSeenAt?: Date;
}

/**
 * Tells each user's newest change to their audience, a slice of the batch at a time. Told
 * one by one as each connect came (four reads each), a burst of connects had thousands of
 * read sets in flight together: V8 promoted their objects along with the sockets', and the
 * old space stayed fragmented after (RSS per idle socket 1.5x a bare Socket.IO server's,
 * 0.93x with no announcements at all). The reads stay equality reads on indexed fields, so
 * FerretDB serves them from its indexes too.
 */
async function announceBatch(
  batch: Map<string, PresenceEvent>,
  store: PresenceStore,
  lateOnline: (userId: string) => boolean,
  signal: AbortSignal,
): Promise<string[]> {
  const told = [...batch];
  const failedUsers: string[] = [];
  for (let i = 0; i < told.length && !signal.aborted; i += ANNOUNCED_AT_ONCE) {
    const slice = told.slice(i, i + ANNOUNCED_AT_ONCE);
    const results = await Promise.allSettled(slice.map(([userId, event]) => announce(userId, event, store, lateOnline)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    // One line for the slice: with the database gone, one per person would be thousands.
    if (failed.length) {
      logger.error('presence announcements failed', {
        failed: failed.length,
        of: slice.length,
        error: errorMessage(failed[0]!.reason),
      });
      results.forEach((r, k) => r.status === 'rejected' && failedUsers.push(slice[k]![0]));
    }
  }
  // Told again later (unless the user changes again first): LatestPerKeyBatches' retry.
  return failedUsers;
}

async function announce(
  userId: string,
  event: PresenceEvent,
  store: PresenceStore,
  /** The online is a retry (after a database blip) and the user is not in this process's grace period. */
  lateOnline: (userId: string) => boolean,
): Promise<void> {
  if (await hidesPresence(userId)) return;
  const audience = await audienceOf(userId);
  // Asked last, just before telling: an offline settled before the user came back on another
  // process is not told after that process told the online; a late online is not told once
  // the user has no socket anywhere, as another process may have told their offline already.
  // (First tries of an online are told as they come: a count read between a socket's close
  // and its grace timer, or a reconnect's store write, may read 0 for someone online.)
  const stale = event.online ? lateOnline(userId) && (await store.count(userId)) === 0 : (await store.count(userId)) > 0;
  if (stale) return;
  publishToUsers(audience, 'presence:changed', event);
}

const ANNOUNCED_AT_ONCE = 16;
// How soon a grace step that failed (the store or the database away) is tried again, at least.
const RETRY_STEP_MS = 1000;
const BATCHED_AT_MOST = 500;
const ANNOUNCE_RETRY_MS = 1000;

// A process that missed this many heartbeats is taken for dead and swept by the others.
const MISSED_BEATS = 4;

export interface PresenceOptions {
  graceMs?: number;
  /** How long onLastSocketGone waits for a reconnect (0: at once). */
  reconnectGraceMs?: number;
  heartbeatMs?: number;
  /**
   * A user has no socket left anywhere (their last closed, or their process died): what
   * they were doing live ends (calls, match tickets and pending matches).
   */
  onLastSocketGone?: (userId: string) => Promise<unknown>;
}

/**
 * Online with the first socket; offline only after the last has been gone for the grace
 * period, so a reconnect (a flaky network, a page reload) never flaps. The processes
 * beat a heartbeat in the store, and each sweeps the sockets of processes that stopped.
 */
export class PresenceTracker {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  // Live activity (calls, match tickets) of users whose last socket closed, waiting for a reconnect.
  private readonly liveTimers = new Map<string, NodeJS.Timeout>();
  private readonly reconnectGraceMs: number;
  private heartbeat?: NodeJS.Timeout;
  private stopped = false;
  private readonly graceMs: number;
  private readonly heartbeatMs: number;
  private readonly onLastSocketGone: (userId: string) => Promise<unknown>;
  // A user's newest change waits while a batch is told; only the newest is told then.
  private readonly announcements = new LatestPerKeyBatches<PresenceEvent>(
    BATCHED_AT_MOST,
    (batch, signal, retried) => announceBatch(batch, this.store, (userId) => retried(userId) && !this.timers.has(userId), signal),
    (err, batch) =>
      logger.error('presence announcements failed', {
        users: batch.size,
        some: [...batch.keys()].slice(0, 5),
        error: errorMessage(err),
      }),
    // A database outage must not leave friends seeing someone online for good: retried for
    // about two minutes (1, 2, 4, 8, 16, 30, 30 s apart), then given up with a log line.
    { delayMs: ANNOUNCE_RETRY_MS, maxDelayMs: 30_000, attempts: 8 },
  );

  constructor(
    readonly store: PresenceStore,
    options: PresenceOptions = {},
  ) {
    this.graceMs = options.graceMs ?? config.chat.presenceGraceMs;
    this.reconnectGraceMs = options.reconnectGraceMs ?? config.chat.reconnectGraceMs;
    this.heartbeatMs = options.heartbeatMs ?? config.chat.presenceHeartbeatMs;
    this.onLastSocketGone = options.onLastSocketGone ?? (() => Promise.resolve());
  }

  /** Starts the heartbeat and the sweep of dead processes. */
  start(): void {
    const tick = () =>
      void this.beatAndSweep().catch((err: unknown) => logger.warn('presence heartbeat failed', { error: errorMessage(err) }));
    this.stopped = false;
    tick();
    this.heartbeat = setInterval(tick, this.heartbeatMs);
    this.heartbeat.unref();
  }

  private async beatAndSweep(): Promise<void> {
    const now = Date.now();
    const { back, gone } = await this.store.beat(now + MISSED_BEATS * this.heartbeatMs);
    // Counted again after a sweep or a lost write: another process may have told them offline.
    for (const userId of back) this.announcements.push(userId, { userId, online: true });
    for (const userId of [...gone, ...(await this.store.sweepDead(now))]) await this.lastSocketGone(userId);
  }

  /** Counts a new socket; returns how many the user has now, in every process. */
  async connected(userId: string, socketId: string): Promise<number> {
    // Back within the grace period: still online to everyone, so nothing to say.
    const returning = this.timers.has(userId);
    clearTimeout(this.timers.get(userId));
    this.timers.delete(userId);
    const leaving = returning || this.liveTimers.has(userId);
    clearTimeout(this.liveTimers.get(userId));
    this.liveTimers.delete(userId);
    let open: number;
    try {
      open = await this.store.add(userId, socketId);
    } catch (err) {
      // Turned away (the store did not take it): someone who was leaving still is.
      if (leaving && this.store.heldHere(userId) === 0) await this.lastSocketGone(userId, false);
      throw err;
    }
    if (open === 1 && !returning) this.announcements.push(userId, { userId, online: true });
    return open;
  }

  /** A socket closed; with the user's last one gone, their live activity ends now and presence after the grace period. */
  async disconnected(userId: string, socketId: string): Promise<void> {
    let open: number;
    try {
      open = await this.store.remove(userId, socketId);
    } catch (err) {
      // The store is repaired at the next beat; the timers ask it again before they act.
      logger.warn('presence store write failed', { error: errorMessage(err) });
      if (this.store.heldHere(userId) === 0) await this.lastSocketGone(userId, false);
      return;
    }
    if (open === 0) await this.lastSocketGone(userId);
  }

  /** `known`: the store said the user has no socket anywhere (else the timers ask it first). */
  private async lastSocketGone(userId: string, known = true): Promise<void> {
    this.after(this.timers, userId, this.graceMs, () => this.settle(userId), 'presence update failed');
    if (this.reconnectGraceMs <= 0 && known) return void (await this.onLastSocketGone(userId));
    this.after(this.liveTimers, userId, this.reconnectGraceMs, () => this.endLiveActivity(userId));
  }

  /**
   * Runs `step` for the user after `ms` (one timer per user in `timers`). A step that fails
   * (the store away) is tried again after the same wait, until the user comes back or the
   * tracker stops: dropped, friends would see someone online for good. One log line per
   * user and outage, not one per try.
   */
  private after(
    timers: Map<string, NodeJS.Timeout>,
    userId: string,
    ms: number,
    step: () => Promise<unknown>,
    failure = 'ending live activity failed',
    retry = false,
  ): void {
    clearTimeout(timers.get(userId));
    const timer = setTimeout(() => {
      timers.delete(userId);
      step().catch((err: unknown) => {
        if (!retry) logger.error(failure, { userId, error: errorMessage(err) });
        if (!this.stopped && !timers.has(userId)) this.after(timers, userId, Math.max(ms, RETRY_STEP_MS), step, failure, true);
      });
    }, ms);
    timer.unref();
    timers.set(userId, timer);
  }

  /** After the reconnect grace: still no socket anywhere (another process may hold a new one), so calls and tickets end. */
  private async endLiveActivity(userId: string): Promise<void> {
    if ((await this.store.count(userId)) > 0) return;
    await this.onLastSocketGone(userId);
  }

  private async settle(userId: string): Promise<void> {
    if ((await this.store.count(userId)) > 0) return;
    const lastSeenAt = new Date();
    // Told even when that write fails: friends must not go on seeing someone online who left.
    await User.updateOne({ _id: userId }, { $set: { lastSeenAt } }).catch((err: unknown) =>
      logger.error('presence update failed', { userId, error: errorMessage(err) }),
    );
    this.announcements.push(userId, { userId, online: false, lastSeenAt });
  }

  /**
   * Shutdown: the grace periods still running end now (a user who has reconnected
   * elsewhere meanwhile stays online), and this process stops counting as alive.
   */
  async flush(): Promise<void> {
    this.stopTimers();
    const waiting = [...this.timers.keys()];
    const live = [...this.liveTimers.keys()];
    this.timers.clear();
    this.liveTimers.clear();
    await Promise.allSettled([
      ...waiting.map((userId) => this.settle(userId)),
      ...live.map((userId) => this.endLiveActivity(userId)),
    ]);
    await this.announced();
    await this.store.retire();
  }

  private stopTimers(): void {
    this.stopped = true;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const t of [...this.timers.values(), ...this.liveTimers.values()]) clearTimeout(t);
  }

  /** Resolves once every presence change so far has been told. */
  announced(): Promise<void> {
    return this.announcements.drained();
  }

  stop(): void {
    this.stopTimers();
    this.timers.clear();
    this.liveTimers.clear();
    this.announcements.close();
  }
}

let store: PresenceStore = new MemoryPresenceStore();
/** The socket server sets the store it tracks with, so the REST batch reads the same one. */
export const usePresenceStore = (s: PresenceStore) => void (store = s);

/** Whether someone has a socket open in any process. */
export async function isOnline(userId: string): Promise<boolean> {
  return (await store.count(userId)) > 0;
}

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
