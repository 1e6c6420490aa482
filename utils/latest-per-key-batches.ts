/**
 * Jobs per key where only the newest counts (a presence change), done in batches: one batch
 * at a time, of everything waiting when it starts (up to `maxBatch`, in arrival order). What
 * arrives meanwhile waits for the next, a newer job for a key replacing the waiting one, so a
 * key's jobs keep their order. Quiet, a job starts on the next turn of the event loop; under a
 * burst (every client reconnecting after a deploy) the work in flight stays bounded, and a
 * key that flaps meanwhile is done once.
 */
export class LatestPerKeyBatches<V> {
  // Insertion order is arrival order; replacing a waiting job keeps its place.
  private waiting = new Map<string, V>();
  // Failures so far of the waiting jobs that are retries.
  private readonly attempts = new Map<string, number>();
  private readonly retrying = new Map<string, { timer: NodeJS.Timeout; value: V }>();
  // Who waits for a key's next try (submit), settled when the batch holding it ends.
  private readonly waiters = new Map<string, (() => void)[]>();
  private busy = false;
  private readonly idle: (() => void)[] = [];
  private readonly closing = new AbortController();

  constructor(
    private readonly maxBatch: number,
    /**
     * Does a batch; resolves to the keys whose jobs failed (none when it resolves to
     * nothing; all when it throws). `signal` aborts on close: a long batch may stop between its parts.
     */
    private readonly work: (
      batch: Map<string, V>,
      signal: AbortSignal,
      retried: (key: string) => boolean,
    ) => Promise<Iterable<string> | void>,
    private readonly onError: (err: unknown, batch: Map<string, V>) => void,
    /**
     * A failed job is done again after `delayMs`, doubling up to `maxDelayMs`, up to
     * `attempts` times in all, unless a newer job for its key came meanwhile (that one is
     * what counts). Jobs given up are reported to onError together, once per batch. None without.
     */
    private readonly retry?: { delayMs: number; maxDelayMs?: number; attempts: number },
  ) {}

  push(key: string, value: V): void {
    if (this.closing.signal.aborted) return;
    clearTimeout(this.retrying.get(key)?.timer);
    this.retrying.delete(key);
    this.attempts.delete(key);
    this.waiting.set(key, value);
    this.start();
  }

  /**
   * push, resolved once the job (or a newer one for its key) was tried: done, or failed and
   * left to its retries. Not once everything is idle: while retries keep batches coming,
   * drained() may wait a long time.
   */
  submit(key: string, value: V): Promise<void> {
    if (this.closing.signal.aborted) return Promise.resolve();
    this.push(key, value);
    return new Promise((resolve) => {
      const list = this.waiters.get(key);
      if (list) list.push(resolve);
      else this.waiters.set(key, [resolve]);
    });
  }

  /** Resolves once nothing waits or runs (shutdown, tests); retries not yet due are not waited for. */
  drained(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Drops what waits and takes nothing more (shutdown past its deadline); the running batch is told to stop. */
  close(): void {
    this.closing.abort();
    this.waiting.clear();
    this.attempts.clear();
    // Retries not yet due are dropped too, and said: they were failures not yet told.
    const dropped = new Map<string, V>();
    for (const [key, { timer, value }] of this.retrying) {
      clearTimeout(timer);
      dropped.set(key, value);
    }
    this.retrying.clear();
    for (const list of this.waiters.values()) for (const resolve of list) resolve();
    this.waiters.clear();
    if (dropped.size) this.onError(new Error('closed before its retry'), dropped);
  }

  private start(): void {
    if (this.busy) return;
    this.busy = true;
    setImmediate(() => this.next());
  }

  private next(): void {
    if (!this.waiting.size) {
      this.busy = false;
      for (const resolve of this.idle.splice(0)) resolve();
      return;
    }
    let batch = this.waiting;
    if (batch.size <= this.maxBatch) this.waiting = new Map();
    else {
      batch = new Map();
      for (const [key, value] of this.waiting) {
        if (batch.size === this.maxBatch) break;
        batch.set(key, value);
        this.waiting.delete(key);
      }
    }
    const failedBefore = new Map([...batch.keys()].map((key) => [key, this.attempts.get(key) ?? 0]));
    const tried: (() => void)[] = [];
    for (const key of batch.keys()) {
      this.attempts.delete(key);
      tried.push(...(this.waiters.get(key) ?? []));
      this.waiters.delete(key);
    }
    void this.work(batch, this.closing.signal, (key) => (failedBefore.get(key) ?? 0) > 0)
      .then(
        (failed) => this.retryLater(batch, failed ?? [], failedBefore),
        (err: unknown) => {
          this.onError(err, batch);
          this.retryLater(batch, batch.keys(), failedBefore);
        },
      )
      .finally(() => {
        for (const resolve of tried) resolve();
        this.next();
      });
  }

  private retryLater(batch: Map<string, V>, failed: Iterable<string>, failedBefore: Map<string, number>): void {
    if (!this.retry) return;
    // Reported together: at the end of an outage a whole batch may give up at once.
    const givenUp = new Map<string, V>();
    for (const key of failed) {
      const failures = (failedBefore.get(key) ?? 0) + 1;
      // Not this batch's, closing, or a newer job waits already: nothing to do again.
      if (!batch.has(key) || this.closing.signal.aborted || this.waiting.has(key)) continue;
      const value = batch.get(key)!;
      if (failures >= this.retry.attempts) {
        givenUp.set(key, value);
        continue;
      }
      const timer = setTimeout(
        () => {
          this.retrying.delete(key);
          this.waiting.set(key, value);
          this.attempts.set(key, failures);
          this.start();
        },
        Math.min(this.retry.delayMs * 2 ** (failures - 1), this.retry.maxDelayMs ?? Infinity),
      );
      timer.unref();
      this.retrying.set(key, { timer, value });
    }
    if (givenUp.size) this.onError(new Error(`given up after ${this.retry.attempts} attempts`), givenUp);
  }
}
