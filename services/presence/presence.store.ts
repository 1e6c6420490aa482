import { randomBytes } from 'node:crypto';
import { errorMessage, logger } from '../../utils/logger.js';
import { boundedRedis, isRedisOutage, RedisRefusedError, type RedisClient, type RedisGate } from '../redis.service.js';
import { SocketsByUser } from './sockets-by-user.js';
import { ADD, ANY_ONLINE, BEAT, ONLINE, REMOVE, REMOVE_LAST, REPAIR, SWEEP } from './presence-scripts.js';

/**
 * Which users have at least one socket open, across every process: in memory for one
 * process, in Redis when REDIS_URL is set. Every process beats a heartbeat; the sockets
 * of a process that stops beating (a crash, a kill -9) are swept by the others.
 */
export interface PresenceStore {
  /** Returns how many sockets the user has now, in every process. */
  add(userId: string, socketId: string): Promise<number>;
  remove(userId: string, socketId: string): Promise<number>;
  count(userId: string): Promise<number>;
  /** Whether any of the users has a socket open (in one step: a user may have thousands of connections). */
  anyOnline(userIds: string[]): Promise<boolean>;
  /** How many of the user's sockets this process holds (known here, whatever the store answers). */
  heldHere(userId: string): number;
  /**
   * Marks this process alive until `deadline` (called every few seconds, each process
   * with its own interval). A process found swept meanwhile (it stalled past its deadline),
   * or whose writes failed since (Redis away), puts the store back to its sockets; returns
   * the users that put back online or left with no socket.
   */
  beat(deadline: number): Promise<PresenceRepair>;
  /** Removes the sockets of processes past their deadline; returns the users left with none. */
  sweepDead(now: number): Promise<string[]>;
  /** This process is stopping: what it leaves behind is the others' to sweep. */
  retire(): Promise<void>;
  /** How many people have a socket open in a live process (each counted once). */
  online(now: number): Promise<number>;
}

/** How long a count waits for Redis: someone's page or a presence decision waits on it. */
const COUNT_WAIT_MS = 1000;

/** The store is away or stalled: refused at once, without a command sent (or, for a count, unanswered). */
export class PresenceUnavailableError extends Error {
  constructor() {
    super('presence store unavailable');
  }
}

/** What a beat's repair changed: users counted again (others may have told them offline), users left with no socket. */
export interface PresenceRepair {
  back: string[];
  gone: string[];
}

const NOTHING_REPAIRED: PresenceRepair = { back: [], gone: [] };

export class MemoryPresenceStore implements PresenceStore {
  private readonly sockets = new SocketsByUser();
  async add(userId: string, socketId: string) {
    return this.sockets.add(userId, socketId);
  }
  async remove(userId: string, socketId: string) {
    return this.sockets.remove(userId, socketId);
  }
  async count(userId: string) {
    return this.heldHere(userId);
  }
  async anyOnline(userIds: string[]) {
    return userIds.some((userId) => this.heldHere(userId) > 0);
  }
  heldHere(userId: string) {
    return this.sockets.count(userId);
  }
  // One process holds everything: when it dies, so does all it knew.
  async beat() {
    return NOTHING_REPAIRED;
  }
  async sweepDead() {
    return [];
  }
  async retire() {}
  async online() {
    return this.sockets.size;
  }
}

/**
 * Per user, a set of `<process>|<socket>`; per process, the set of users with a socket
 * there; and one sorted set of processes by their last heartbeat.
 */
export class RedisPresenceStore implements PresenceStore {
  readonly processId = randomBytes(6).toString('hex');
  /** This process's sockets per user: whether a user has any left here, and what to restore after a stall. */
  private readonly local = new SocketsByUser();
  /** Found swept (stalled past its deadline, or Redis lost its data): every user held here is put back. */
  private swept = false;
  /**
   * Users whose write failed (Redis away or stalled: it may or may not have run), each with
   * the number of its latest failure: the next repair puts them right, and only a repair
   * that answered clears them.
   */
  private readonly unsure = new Map<string, number>();
  private failures = 0;

  /** Writes and counts are gated (one a second to a Redis in doubt), the rest always sent. */
  private readonly redis;

  constructor(
    client: RedisClient,
    private readonly prefix = 'presence:',
  ) {
    this.redis = boundedRedis(client);
  }

  private userKey(userId: string) {
    return `${this.prefix}${userId}`;
  }
  private processKey(processId: string) {
    return `${this.prefix}proc:${processId}`;
  }
  private sweptKey(processId: string) {
    return `${this.prefix}swept:${processId}`;
  }
  private get aliveKey() {
    return `${this.prefix}alive`;
  }

  /** A script, refused by its gate as PresenceUnavailableError. (No MULTIs: node-redis holds those for ever, even unsent.) */
  private async run(script: string, keys: string[], args: string[], gate: RedisGate = 'always'): Promise<unknown> {
    try {
      return await this.redis.call((client) => client.eval(script, { keys, arguments: args }), { gate });
    } catch (err) {
      throw err instanceof RedisRefusedError ? new PresenceUnavailableError() : err;
    }
  }

  /** One socket's write; a failed one leaves its user to the next beat's repair. */
  private async write(script: string, userId: string, socketId: string): Promise<number> {
    const keys = [this.userKey(userId), this.processKey(this.processId)];
    try {
      return Number(await this.run(script, keys, [`${this.processId}|${socketId}`, userId], 'probe'));
    } catch (err) {
      // An add refused before it was sent left nothing to put right.
      if (!(err instanceof PresenceUnavailableError && script === ADD)) this.unsure.set(userId, ++this.failures);
      throw err;
    }
  }

  /** Refused if the write fails: the socket is not held here (the caller turns it away). */
  async add(userId: string, socketId: string) {
    this.local.add(userId, socketId);
    try {
      return await this.write(ADD, userId, socketId);
    } catch (err) {
      this.forget(userId, socketId);
      throw err;
    }
  }

  private forget(userId: string, socketId: string): boolean {
    return this.local.remove(userId, socketId) === 0;
  }

  heldHere(userId: string) {
    return this.local.count(userId);
  }

  async remove(userId: string, socketId: string) {
    const last = this.forget(userId, socketId);
    return this.write(last ? REMOVE_LAST : REMOVE, userId, socketId);
  }

  /** Unavailable (not waited for) while Redis is in doubt: a read someone waits on, or one retried later. */
  async count(userId: string) {
    try {
      return await this.redis.call((client) => client.sCard(this.userKey(userId)), { waitMs: COUNT_WAIT_MS });
    } catch (err) {
      throw isRedisOutage(err) ? new PresenceUnavailableError() : err;
    }
  }

  /** Unavailable while Redis is in doubt, as count. */
  async anyOnline(userIds: string[]) {
    if (userIds.length === 0) return false;
    try {
      const script = { keys: [], arguments: [this.prefix, ...userIds] };
      return (await this.redis.call((client) => client.eval(ANY_ONLINE, script), { waitMs: COUNT_WAIT_MS })) === 1;
    } catch (err) {
      throw isRedisOutage(err) ? new PresenceUnavailableError() : err;
    }
  }

  /** Always sent (a probe too). */
  async beat(deadline: number) {
    const keys = [this.aliveKey, this.sweptKey(this.processId)];
    const listed = Number(await this.run(BEAT, keys, [this.processId, String(deadline)]));
    if (!listed) this.swept = true;
    return this.swept || this.unsure.size ? this.repair() : NOTHING_REPAIRED;
  }

  private async repair(): Promise<PresenceRepair> {
    // What is held now: a write made after this is sent after the script, so it lands after it.
    const full = this.swept;
    const fixed = new Map(this.unsure);
    const users = new Set([...(full ? this.local.users() : []), ...fixed.keys()]);
    const held = [...users].flatMap((userId) => {
      const sockets = this.local.ids(userId);
      return [userId, String(sockets.length), ...sockets];
    });
    const args = [this.processId, this.prefix, full ? '1' : '0', ...held];
    const keys = [this.processKey(this.processId), this.sweptKey(this.processId)];
    const [back, gone] = (await this.run(REPAIR, keys, args)) as [string[], string[]];
    // Answered: what failed since stays for the next repair.
    if (full) this.swept = false;
    for (const [userId, failure] of fixed) if (this.unsure.get(userId) === failure) this.unsure.delete(userId);
    return { back, gone };
  }

  async sweepDead(now: number) {
    const dead = await this.redis.call((client) => client.zRangeByScore(this.aliveKey, '-inf', now), { gate: 'always' });
    const gone: string[] = [];
    // Each on its own: a sweep that ran took its process out of the alive set, so its users
    // are kept even when a later one fails.
    for (const processId of dead) {
      if (processId === this.processId) continue;
      const keys = [this.aliveKey, this.processKey(processId)];
      const users = await this.run(SWEEP, keys, [processId, this.prefix, String(now)]).catch((err: unknown) => {
        logger.warn('presence sweep failed', { processId, error: errorMessage(err) });
        return [];
      });
      gone.push(...(users as string[]));
    }
    return gone;
  }

  async online(now: number) {
    const scratch = `${this.prefix}online:${this.processId}`;
    return Number(await this.run(ONLINE, [this.aliveKey, scratch], [String(now), this.prefix]));
  }

  /** Stopping: due at once, so whatever this process could not clean up is swept by the others. */
  async retire() {
    await this.redis.call((client) => client.zAdd(this.aliveKey, { score: 0, value: this.processId }), { gate: 'always' });
  }
}
