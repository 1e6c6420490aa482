import { config } from '../../config/index.js';
import { User } from '../../models/user.model.js';
import { LatestPerKeyBatches } from '../../utils/latest-per-key-batches.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { RECONNECT_MAX_MS } from '../redis.service.js';
import { publishToUsers } from '../realtime.service.js';
import { announceBatch, audienceOf, hidesPresence, type Announcement } from './presence-announcements.js';
import { MemoryPresenceStore, PresenceUnavailableError, type PresenceRepair, type PresenceStore } from './presence.store.js';

// How soon a grace step that failed (the store away) is tried again, at least (else after its own wait).
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
  private beating?: Promise<void>;
  private sweeping?: Promise<void>;
  /** Grace steps asked for once stopping: flush() runs them. */
  private lateSteps: (() => Promise<unknown>)[] = [];
  /** Users left with no socket by a repair, ended off the beat's path. */
  private readonly running = new Set<Promise<void>>();
  /** No process is swept before this time (Infinity: this process's own beats are failing). */
  private sweepFrom = 0;
  private lastBeatAt?: number;
  private stopped = false;
  private readonly graceMs: number;
  private readonly heartbeatMs: number;
  private readonly onLastSocketGone: (userId: string) => Promise<unknown>;
  // A user's newest change waits while a batch is told; only the newest is told then.
  private readonly announcements = new LatestPerKeyBatches<Announcement>(
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
    this.stopped = false;
    // A process starting (or restarted by pm2) just after an outage leaves the others the
    // time to beat again, as one back from it does.
    this.sweepFrom = Date.now() + this.sweepPause();
    // One beat at a time: with Redis stalled, each would wait its timeout and they would pile up.
    const tick = () => {
      if (this.beating) return;
      this.beating = this.beat()
        .catch((err: unknown) => void logger.warn('presence heartbeat failed', { error: errorMessage(err) }))
        .finally(() => (this.beating = undefined));
    };
    tick();
    this.heartbeat = setInterval(tick, this.heartbeatMs);
    this.heartbeat.unref();
  }

  /** How long after an outage no process is taken for dead: four beats and a reconnect. */
  private sweepPause(): number {
    return MISSED_BEATS * this.heartbeatMs + RECONNECT_MAX_MS;
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    let repaired: PresenceRepair;
    try {
      repaired = await this.store.beat(now + MISSED_BEATS * this.heartbeatMs);
    } catch (err) {
      this.sweepFrom = Infinity;
      throw err;
    }
    // Back from a store outage or a stall (a beat failed, or came late: a beat waiting in the
    // client's queue is sent when Redis is back): the others missed their beats through the
    // same outage, so they get the time to reconnect and beat again before any is taken for
    // dead (else everyone on them flaps offline).
    const answered = Date.now();
    const late = now - (this.lastBeatAt ?? now) > 2 * this.heartbeatMs || answered - now > this.heartbeatMs;
    if (this.sweepFrom === Infinity || late) this.sweepFrom = answered + this.sweepPause();
    this.lastBeatAt = now;
    if (repaired.back.length || repaired.gone.length) {
      logger.warn('presence store repaired', { back: repaired.back.length, gone: repaired.gone.length });
    }
    // Counted again after a sweep or a lost write: another process may have told them offline.
    for (const userId of repaired.back) this.announcements.push(userId, { event: { userId, online: true } });
    // Off the beat's path: a sweep of thousands (their calls ended one by one) must not make
    // this process miss its own deadline. One sweep at a time.
    // Stopping: no new sweep, but the repair's users are still ended (flush waits for them).
    if (!this.stopped && answered >= this.sweepFrom && !this.sweeping) {
      this.sweeping = this.sweep(now, repaired.gone).finally(() => (this.sweeping = undefined));
    } else if (repaired.gone.length) this.background(this.endAll(repaired.gone));
  }

  private async sweep(now: number, gone: string[]): Promise<void> {
    const swept = await this.store.sweepDead(now).catch((err: unknown) => {
      logger.warn('presence sweep failed', { error: errorMessage(err) });
      return [];
    });
    await this.endAll([...gone, ...swept]);
  }

  private async endAll(userIds: string[]): Promise<void> {
    for (const userId of userIds) {
      await this.lastSocketGone(userId).catch((err: unknown) =>
        logger.error('ending live activity failed', { userId, error: errorMessage(err) }),
      );
    }
  }

  private background(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
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
    if (open === 1 && !returning) this.announcements.push(userId, { event: { userId, online: true }, arrival: true });
    return open;
  }

  /** A socket closed; with the user's last one gone, their live activity ends now and presence after the grace period. */
  async disconnected(userId: string, socketId: string): Promise<void> {
    let open: number;
    try {
      open = await this.store.remove(userId, socketId);
    } catch (err) {
      // The store is repaired at the next beat; the timers ask it again before they act.
      if (!(err instanceof PresenceUnavailableError)) logger.warn('presence store write failed', { error: errorMessage(err) });
      if (this.store.heldHere(userId) === 0) await this.lastSocketGone(userId, false);
      return;
    }
    if (open === 0) await this.lastSocketGone(userId);
  }

  /** `known`: the store said the user has no socket anywhere (else the timers ask it first). */
  private async lastSocketGone(userId: string, known = true): Promise<void> {
    // A socket held here outranks the store (this process's members may be swept, not yet repaired).
    if (this.store.heldHere(userId) > 0) return;
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
    // Stopping: flush() takes the step (a sweep or repair still running when it began).
    if (this.stopped) return void this.lateSteps.push(step);
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
    if (this.store.heldHere(userId) > 0 || (await this.store.count(userId)) > 0) return;
    await this.onLastSocketGone(userId);
  }

  private async settle(userId: string): Promise<void> {
    if (this.store.heldHere(userId) > 0 || (await this.store.count(userId)) > 0) return;
    const lastSeenAt = new Date();
    // Told even when that write fails: friends must not go on seeing someone online who left.
    // Time spent invisible leaves no last-seen: shown again, one's last visible leaving shows.
    await User.updateOne({ _id: userId, availability: { $ne: 'invisible' } }, { $set: { lastSeenAt } }).catch((err: unknown) =>
      logger.error('presence update failed', { userId, error: errorMessage(err) }),
    );
    this.announcements.push(userId, { event: { userId, online: false, lastSeenAt } });
  }

  /**
   * Shutdown: the grace periods still running end now (a user who has reconnected
   * elsewhere meanwhile stays online), and this process stops counting as alive.
   */
  async flush(): Promise<void> {
    this.stopTimers();
    // A beat still running would mark this process alive again after it retires; it may start
    // a sweep, whose users are this process's to end (the swept process is no one's now).
    await this.beating;
    await Promise.allSettled([this.sweeping, ...this.running]);
    const waiting = [...this.timers.keys()];
    const live = [...this.liveTimers.keys()];
    this.timers.clear();
    this.liveTimers.clear();
    const late = this.lateSteps.splice(0);
    await Promise.allSettled([
      ...waiting.map((userId) => this.settle(userId)),
      ...live.map((userId) => this.endLiveActivity(userId)),
      ...late.map((step) => step()),
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
/** The socket server sets the store it tracks with, so the REST batch reads the same one; the one it replaces is returned. */
export function usePresenceStore(s: PresenceStore): PresenceStore {
  const before = store;
  store = s;
  return before;
}

/** Whether someone has a socket open in any process. */
export async function isOnline(userId: string): Promise<boolean> {
  return (await store.count(userId)) > 0;
}

/**
 * Someone online turned invisible or visible again: to their connections, going invisible looks
 * like leaving now (its time the last-seen one shows later), and showing oneself like arriving.
 * Offline, nothing to tell: the next socket or its absence says it.
 */
export async function announceVisibility(userId: string, visible: boolean): Promise<void> {
  if (!(await isOnline(userId))) return;
  const audience = await audienceOf(userId);
  if (visible) return void publishToUsers(audience, 'presence:changed', { userId, online: true });
  const lastSeenAt = new Date();
  // Still invisible (a switch back landing first has told its online): else nothing to tell.
  const res = await User.updateOne({ _id: userId, availability: 'invisible' }, { $set: { lastSeenAt } });
  if (res.modifiedCount === 1) publishToUsers(audience, 'presence:changed', { userId, online: false, lastSeenAt });
}

/** Redis away or stalled: online not known right now (null, as for someone the caller may not see). */
const unknownWhenUnavailable = (err: unknown) => {
  if (err instanceof PresenceUnavailableError) return null;
  throw err;
};

/** Presence of several users, for those the caller may see (connections and partners); others are unknown (null). */
export async function presenceOf(viewerId: string, ids: string[]) {
  const audience = new Set(await audienceOf(viewerId));
  return Promise.all(
    ids.map(async (userId) => {
      if (!audience.has(userId) || (await hidesPresence(userId))) return { userId, online: null };
      const [count, user] = await Promise.all([
        store.count(userId).catch(unknownWhenUnavailable),
        User.findById(userId, { lastSeenAt: 1 }).lean(),
      ]);
      return { userId, online: count === null ? null : count > 0, ...(user?.lastSeenAt ? { lastSeenAt: user.lastSeenAt } : {}) };
    }),
  );
}
