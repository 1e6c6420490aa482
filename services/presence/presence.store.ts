import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis.service.js';

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
  /**
   * Marks this process alive until `deadline` (called every few seconds, each process
   * with its own interval). A process found swept meanwhile (it stalled past its
   * deadline) puts its sockets back.
   */
  beat(deadline: number): Promise<void>;
  /** Removes the sockets of processes past their deadline; returns the users left with none. */
  sweepDead(now: number): Promise<string[]>;
  /** This process is stopping: what it leaves behind is the others' to sweep. */
  retire(): Promise<void>;
  /** How many people have a socket open in a live process (each counted once). */
  online(now: number): Promise<number>;
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
  // One process holds everything: when it dies, so does all it knew.
  async beat() {}
  async sweepDead() {
    return [];
  }
  async retire() {}
  async online() {
    return this.sockets.size;
  }
}

// Takes a dead process's sockets out of every user's set, once (whoever removes the
// process from the alive set sweeps it); returns the users left with no socket.
const SWEEP = `
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return {} end
local users = redis.call('SMEMBERS', KEYS[2])
local gone = {}
local mark = ARGV[1] .. '|'
for _, user in ipairs(users) do
  local key = ARGV[2] .. user
  for _, member in ipairs(redis.call('SMEMBERS', key)) do
    if string.sub(member, 1, #mark) == mark then redis.call('SREM', key, member) end
  end
  if redis.call('SCARD', key) == 0 then gone[#gone + 1] = user end
end
redis.call('DEL', KEYS[2])
return gone`;

// The people with a socket in any live process, counted once each: the union is built and
// dropped inside Redis, so no member list crosses the wire.
const ONLINE = `
local procs = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')
if #procs == 0 then return 0 end
local keys = {}
for i, p in ipairs(procs) do keys[i] = ARGV[2] .. 'proc:' .. p end
local n = redis.call('SUNIONSTORE', KEYS[2], unpack(keys))
redis.call('DEL', KEYS[2])
return n`;

/**
 * Per user, a set of `<process>|<socket>`; per process, the set of users with a socket
 * there; and one sorted set of processes by their last heartbeat.
 */
export class RedisPresenceStore implements PresenceStore {
  readonly processId = randomBytes(6).toString('hex');
  /** This process's sockets per user: whether a user has any left here, and what to restore after a stall. */
  private readonly local = new Map<string, Set<string>>();
  private beaten = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix = 'presence:',
  ) {}

  private userKey(userId: string) {
    return `${this.prefix}${userId}`;
  }
  private processKey(processId: string) {
    return `${this.prefix}proc:${processId}`;
  }
  private get aliveKey() {
    return `${this.prefix}alive`;
  }

  async add(userId: string, socketId: string) {
    const here = this.local.get(userId) ?? new Set<string>();
    here.add(socketId);
    this.local.set(userId, here);
    const [, , count] = await this.redis
      .multi()
      .sAdd(this.userKey(userId), `${this.processId}|${socketId}`)
      .sAdd(this.processKey(this.processId), userId)
      .sCard(this.userKey(userId))
      .exec();
    return Number(count);
  }

  async remove(userId: string, socketId: string) {
    const here = this.local.get(userId);
    here?.delete(socketId);
    const last = !here || here.size === 0;
    if (last) this.local.delete(userId);
    const multi = this.redis.multi().sRem(this.userKey(userId), `${this.processId}|${socketId}`);
    if (last) multi.sRem(this.processKey(this.processId), userId);
    const replies = await multi.sCard(this.userKey(userId)).exec();
    return Number(replies.at(-1));
  }

  async count(userId: string) {
    return this.redis.sCard(this.userKey(userId));
  }

  async beat(deadline: number) {
    const known = await this.redis.zScore(this.aliveKey, this.processId);
    if (known === null && this.beaten && this.local.size) {
      // Swept while stalled: the sockets are still open here, so they count again.
      const multi = this.redis.multi();
      for (const [userId, sockets] of this.local) {
        multi.sAdd(
          this.userKey(userId),
          [...sockets].map((s) => `${this.processId}|${s}`),
        );
        multi.sAdd(this.processKey(this.processId), userId);
      }
      await multi.exec();
    }
    await this.redis.zAdd(this.aliveKey, { score: deadline, value: this.processId });
    this.beaten = true;
  }

  async sweepDead(now: number) {
    const dead = await this.redis.zRangeByScore(this.aliveKey, '-inf', now);
    const gone: string[] = [];
    for (const processId of dead) {
      if (processId === this.processId) continue;
      const users = (await this.redis.eval(SWEEP, {
        keys: [this.aliveKey, this.processKey(processId)],
        arguments: [processId, this.prefix],
      })) as string[];
      gone.push(...users);
    }
    return gone;
  }

  async online(now: number) {
    const scratch = `${this.prefix}online:${this.processId}`;
    return Number(await this.redis.eval(ONLINE, { keys: [this.aliveKey, scratch], arguments: [String(now), this.prefix] }));
  }

  /** Stopping: due at once, so whatever this process could not clean up is swept by the others. */
  async retire() {
    this.beaten = false;
    await this.redis.zAdd(this.aliveKey, { score: 0, value: this.processId });
  }
}
