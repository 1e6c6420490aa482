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

/** What a beat's repair changed: users counted again (others may have told them offline), users left with no socket. */
export interface PresenceRepair {
  back: string[];
  gone: string[];
}

const NOTHING_REPAIRED: PresenceRepair = { back: [], gone: [] };

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
    return this.heldHere(userId);
  }
  heldHere(userId: string) {
    return this.sockets.get(userId)?.size ?? 0;
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

// One socket of a user comes or goes (KEYS: the user's set, this process's; ARGV: the member,
// the user); returns how many sockets the user has now.
const ADD = `
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
return redis.call('SCARD', KEYS[1])`;
const REMOVE = `
redis.call('SREM', KEYS[1], ARGV[1])
return redis.call('SCARD', KEYS[1])`;
// The user's last socket here: the user leaves this process's set too.
const REMOVE_LAST = `
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('SREM', KEYS[2], ARGV[2])
return redis.call('SCARD', KEYS[1])`;

// Puts this process's part of the store back to the sockets it holds (ARGV[3..]: user, how
// many sockets, the sockets; again per user): its members no socket stands for any more go,
// the missing come back, its user set is rewritten. Returns the users counted again after
// none, and those left with none. One script: a write sent after it sees its result.
const REPAIR = `
local mark = ARGV[1] .. '|'
local prefix = ARGV[2]
local held = {}
local i = 3
while i <= #ARGV do
  local sockets = {}
  for k = 1, tonumber(ARGV[i + 1]) do sockets[mark .. ARGV[i + 1 + k]] = true end
  held[ARGV[i]] = sockets
  i = i + 2 + tonumber(ARGV[i + 1])
end
local function dropStale(key, sockets)
  for _, member in ipairs(redis.call('SMEMBERS', key)) do
    if string.sub(member, 1, #mark) == mark and not sockets[member] then redis.call('SREM', key, member) end
  end
end
local back, gone = {}, {}
for _, user in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if not held[user] then
    local key = prefix .. user
    dropStale(key, {})
    redis.call('SREM', KEYS[1], user)
    if redis.call('SCARD', key) == 0 then gone[#gone + 1] = user end
  end
end
for user, sockets in pairs(held) do
  local key = prefix .. user
  local before = redis.call('SCARD', key)
  dropStale(key, sockets)
  for member in pairs(sockets) do redis.call('SADD', key, member) end
  redis.call('SADD', KEYS[1], user)
  if before == 0 then back[#back + 1] = user end
end
return {back, gone}`;

/**
 * Per user, a set of `<process>|<socket>`; per process, the set of users with a socket
 * there; and one sorted set of processes by their last heartbeat.
 */
export class RedisPresenceStore implements PresenceStore {
  readonly processId = randomBytes(6).toString('hex');
  /** This process's sockets per user: whether a user has any left here, and what to restore after a stall. */
  private readonly local = new Map<string, Set<string>>();
  private beaten = false;
  /**
   * A write failed (Redis away: node-redis drops a command still unsent after its 5 s
   * timeout, and one sent may or may not have run), so the store may not match `local`.
   */
  private unsure = false;

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

  /**
   * One socket's write, as a script: a MULTI would wait for a Redis that is away for ever
   * (node-redis gives MULTI no timeout) and run when it is back, long after the socket it
   * counts was turned away. A failed write leaves the store to the next beat's repair.
   */
  private async write(script: string, userId: string, socketId: string): Promise<number> {
    const keys = [this.userKey(userId), this.processKey(this.processId)];
    return Number(
      await this.unsureIfFails(this.redis.eval(script, { keys, arguments: [`${this.processId}|${socketId}`, userId] })),
    );
  }

  private async unsureIfFails<T>(command: Promise<T>): Promise<T> {
    try {
      return await command;
    } catch (err) {
      this.unsure = true;
      throw err;
    }
  }

  /** Refused if the write fails: the socket is not held here (the caller turns it away). */
  async add(userId: string, socketId: string) {
    const here = this.local.get(userId) ?? new Set<string>();
    here.add(socketId);
    this.local.set(userId, here);
    try {
      return await this.write(ADD, userId, socketId);
    } catch (err) {
      this.forget(userId, socketId);
      throw err;
    }
  }

  private forget(userId: string, socketId: string): boolean {
    const here = this.local.get(userId);
    here?.delete(socketId);
    const last = !here || here.size === 0;
    if (last) this.local.delete(userId);
    return last;
  }

  heldHere(userId: string) {
    return this.local.get(userId)?.size ?? 0;
  }

  async remove(userId: string, socketId: string) {
    const last = this.forget(userId, socketId);
    return this.write(last ? REMOVE_LAST : REMOVE, userId, socketId);
  }

  async count(userId: string) {
    return this.redis.sCard(this.userKey(userId));
  }

  async beat(deadline: number) {
    const known = await this.redis.zScore(this.aliveKey, this.processId);
    // Swept while stalled (the sockets are still open here, so they count again), or writes lost.
    const repair = this.unsure || (known === null && this.beaten) ? await this.repair() : NOTHING_REPAIRED;
    await this.redis.zAdd(this.aliveKey, { score: deadline, value: this.processId });
    this.beaten = true;
    return repair;
  }

  private async repair(): Promise<PresenceRepair> {
    // What is held now: a write made after this is sent after the script, so it lands after it.
    const held = [...this.local].flatMap(([userId, sockets]) => [userId, String(sockets.size), ...sockets]);
    this.unsure = false;
    const [back, gone] = (await this.unsureIfFails(
      this.redis.eval(REPAIR, { keys: [this.processKey(this.processId)], arguments: [this.processId, this.prefix, ...held] }),
    )) as [string[], string[]];
    return { back, gone };
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
