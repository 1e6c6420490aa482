import type { RateAction, RateRules } from '../../config/rate-rules.js';
import { AppError } from '../../utils/app-error.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { perKeyThrottle } from '../../utils/per-key-throttle.js';
import { boundedRedis, type BoundedRedis, type RedisClient } from '../redis.service.js';
import { LIMITER_WAIT_MS } from './limiter-commands.js';

/** A 429 that says when to come back (the HTTP error path sends it as Retry-After). */
export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', 'Too many requests; try again later', { retryAfterSeconds });
  }
}

export interface Hit {
  key: string;
  windowMs: number;
  /** Past it, the keys after this one are read, not counted. */
  limit: number;
}

/**
 * Fixed-window counters: each hit counts one in its key's current window, in order, until one
 * is past its limit: the rest are only read. An account refused by its own budget spends no
 * more of its address's, which the others there share.
 */
export interface CounterStore {
  /** Counts (or reads) each key; returns each key's count and the ms left in its window. Fails rather than waits long. */
  hit(hits: Hit[]): Promise<{ count: number; resetMs: number }[]>;
  /** Reads each key, counting none. */
  read(hits: Hit[]): Promise<{ count: number; resetMs: number }[]>;
}

const MEMORY_SWEEP_EVERY_MS = 1000;

/** Counters of this process alone: with no Redis, and in each process while Redis fails. */
export class MemoryCounterStore implements CounterStore {
  private readonly windows = new Map<string, { count: number; until: number }>();
  private nextSweepAt = 0;

  /**
   * Past `max` counters, ended windows are swept (at most once a second: a flood of new
   * keys must not make every hit walk them all) and, if still past it, counters go until a
   * tenth is free, the least hit first. Memory stays bounded whatever an attacker's variety
   * of keys, and a budget in use is the last thing such a flood resets.
   */
  constructor(private readonly max = 100_000) {}

  get size() {
    return this.windows.size;
  }

  async hit(hits: Hit[]) {
    const now = Date.now();
    if (this.windows.size > this.max && now >= this.nextSweepAt) this.sweep(now);
    let over = false;
    return hits.map(({ key, windowMs, limit }) => {
      if (over) return this.peek(key, windowMs, now);
      let w = this.windows.get(key);
      if (!w || w.until <= now) {
        // Made again, not reset in place: the map stays in the order the windows began.
        this.windows.delete(key);
        this.windows.set(key, (w = { count: 0, until: now + windowMs }));
      }
      w.count++;
      over = w.count > limit;
      return { count: w.count, resetMs: w.until - now };
    });
  }

  async read(hits: Hit[]) {
    const now = Date.now();
    return hits.map(({ key, windowMs }) => this.peek(key, windowMs, now));
  }

  /** A key's count in its current window, none when it has none. */
  private peek(key: string, windowMs: number, now: number) {
    const w = this.windows.get(key);
    return w && w.until > now ? { count: w.count, resetMs: w.until - now } : { count: 0, resetMs: windowMs };
  }

  private sweep(now: number): void {
    this.nextSweepAt = now + MEMORY_SWEEP_EVERY_MS;
    const target = this.max * 0.9;
    for (const [key, w] of this.windows) if (w.until <= now) this.windows.delete(key);
    // The least hit go first (at most 1, then 2, 4, ...), each pass in the order the windows
    // began: a flood's keys, whatever it hits each, go before a budget used more than they are.
    for (let most = 1; this.windows.size > target; most *= 2) {
      for (const [key, w] of this.windows) {
        if (this.windows.size <= target) return;
        if (w.count <= most) this.windows.delete(key);
      }
    }
  }
}

// INCR each key, starting its window on the first hit, until one is past its limit (the rest
// only read); one round trip for all of a request's keys. ARGV: window, limit for each key.
const HIT = `
local out = {}
local over = false
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[2 * i - 1])
  local n
  if over then
    n = tonumber(redis.call('GET', key) or '0')
  else
    n = redis.call('INCR', key)
    over = n > tonumber(ARGV[2 * i])
  end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    if n > 0 then redis.call('PEXPIRE', key, window) end
    ttl = window
  end
  out[#out + 1] = n
  out[#out + 1] = ttl
end
return out`;

// Each key's count and the ms left in its window, counting none.
const READ = `
local out = {}
for i, key in ipairs(KEYS) do
  local ttl = redis.call('PTTL', key)
  out[#out + 1] = tonumber(redis.call('GET', key) or '0')
  out[#out + 1] = ttl < 0 and tonumber(ARGV[i]) or ttl
end
return out`;

/** The counters of every process together, in Redis; refused at once while Redis is in doubt. */
export class RedisCounterStore implements CounterStore {
  private readonly redis: BoundedRedis;

  constructor(
    client: RedisClient,
    private readonly prefix: string,
  ) {
    this.redis = boundedRedis(client);
  }

  hit(hits: Hit[]) {
    return this.run(HIT, hits, (h) => [String(h.windowMs), String(h.limit)]);
  }

  read(hits: Hit[]) {
    return this.run(READ, hits, (h) => [String(h.windowMs)]);
  }

  private async run(script: string, hits: Hit[], argsOf: (hit: Hit) => string[]) {
    const keys = hits.map((h) => this.prefix + h.key);
    const raw = (await this.redis.call((client) => client.eval(script, { keys, arguments: hits.flatMap(argsOf) }), {
      waitMs: LIMITER_WAIT_MS,
    })) as number[];
    return hits.map((_, i) => ({ count: Number(raw[2 * i]), resetMs: Number(raw[2 * i + 1]) }));
  }
}

export interface Caller {
  userId?: string;
  /** The client's address, already reduced to what one client controls (an IPv6 /56). */
  ip?: string;
}

// A failing shared store is said once a minute per action, not once per request.
const sayStoreFailure = perKeyThrottle(60_000);

/**
 * Per-account and per-address budgets of actions (config/rate-rules.ts), shared by the HTTP
 * and socket doors so a message costs the same whichever way it comes. While the shared
 * store fails (Redis away or stalled) each process counts on its own: a Redis hiccup must
 * not stop the product, nor lift every budget (uploads, reports, the location budget that
 * stops triangulation, the write budget that bounds password checks).
 */
export class ActionLimiter {
  private readonly ownCounts = new MemoryCounterStore();

  constructor(
    private readonly store: CounterStore,
    private readonly rules: RateRules,
  ) {}

  /** Counts the action for its caller; past a budget, throws RateLimitedError. */
  take(action: RateAction, caller: Caller): Promise<void> {
    return this.count(action, caller, (store, hits) => store.hit(hits));
  }

  /**
   * Whether the action would be taken now, counting nothing: a question asked before work the
   * action then counts (nginx reading an upload before the upload's own budget is taken).
   * Throws RateLimitedError when a budget is used up.
   */
  assertRoom(action: RateAction, caller: Caller): Promise<void> {
    // Read as the next take would count them: one more each.
    return this.count(action, caller, async (store, hits) => (await store.read(hits)).map((c) => ({ ...c, count: c.count + 1 })));
  }

  private async count(
    action: RateAction,
    caller: Caller,
    visit: (store: CounterStore, hits: Hit[]) => Promise<{ count: number; resetMs: number }[]>,
  ): Promise<void> {
    const rule = this.rules[action];
    // The account's own budget first: refused by it, the address's is not spent.
    const hits: Hit[] = [];
    if (rule.user !== undefined && caller.userId) {
      hits.push({ key: `${action}:u:${caller.userId}`, windowMs: rule.windowMs, limit: rule.user });
    }
    if (rule.ip !== undefined && caller.ip) {
      hits.push({ key: `${action}:i:${caller.ip}`, windowMs: rule.windowMs, limit: rule.ip });
    }
    if (!hits.length) return;
    let counts: { count: number; resetMs: number }[];
    try {
      counts = await visit(this.store, hits);
    } catch (err) {
      sayStoreFailure(action, () =>
        logger.warn('rate limit store failed; counted in this process', { action, error: errorMessage(err) }),
      );
      counts = await visit(this.ownCounts, hits);
    }
    const over = counts.filter((c, i) => c.count > hits[i]!.limit);
    if (over.length) throw new RateLimitedError(Math.max(1, Math.ceil(Math.max(...over.map((c) => c.resetMs)) / 1000)));
  }
}

export function createActionLimiter(rules: RateRules, redis: RedisClient | undefined, prefix: string): ActionLimiter {
  return new ActionLimiter(redis ? new RedisCounterStore(redis, `${prefix}act:`) : new MemoryCounterStore(), rules);
}
