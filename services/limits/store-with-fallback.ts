import { MemoryStore, type Options, type Store } from 'express-rate-limit';
import { errorMessage, logger } from '../../utils/logger.js';
import { perKeyThrottle } from '../../utils/per-key-throttle.js';

// A failing shared store is said once a minute per limiter, not once per request.
const sayFallback = perKeyThrottle(60_000);

/**
 * A fail-open limiter's shared store (Redis) with this process's own counts standing in while
 * it fails: through a Redis outage the limiter keeps limiting, each process on its own, instead
 * of letting every request through (the contacts lookup that tells which addresses have
 * accounts, payment orders, verification mail). The stand-in starts from zero, so an outage
 * allows up to (processes + 1) budgets in its window. Not for limiters that skip successful
 * or failed requests: a decrement may reach the store that did not count the request.
 */
export class StoreWithFallback implements Store {
  private readonly own = new MemoryStore();
  readonly prefix?: string;

  constructor(private readonly shared: Store) {
    this.prefix = shared.prefix;
  }

  async init(options: Options): Promise<void> {
    this.own.init(options);
    await this.shared.init?.(options);
  }

  async increment(key: string) {
    try {
      return await this.shared.increment(key);
    } catch (err) {
      sayFallback(this.prefix ?? '', () =>
        logger.warn('rate limit store failed; counted in this process', { limiter: this.prefix, error: errorMessage(err) }),
      );
      return this.own.increment(key);
    }
  }

  async get(key: string) {
    try {
      return await this.shared.get?.(key);
    } catch {
      return this.own.get(key);
    }
  }

  async decrement(key: string): Promise<void> {
    await Promise.resolve(this.shared.decrement(key)).catch(() => this.own.decrement(key));
  }

  async resetKey(key: string): Promise<void> {
    await Promise.allSettled([this.shared.resetKey(key), this.own.resetKey(key)]);
  }

  shutdown(): void {
    this.own.shutdown();
    void this.shared.shutdown?.();
  }
}
