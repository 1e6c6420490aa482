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
  private busy = false;
  private readonly idle: (() => void)[] = [];
  private readonly closing = new AbortController();

  constructor(
    private readonly maxBatch: number,
    /** `signal` aborts on close: a long batch may stop between its parts. */
    private readonly work: (batch: Map<string, V>, signal: AbortSignal) => Promise<unknown>,
    private readonly onError: (err: unknown, batch: Map<string, V>) => void,
  ) {}

  push(key: string, value: V): void {
    if (this.closing.signal.aborted) return;
    this.waiting.set(key, value);
    if (!this.busy) {
      this.busy = true;
      setImmediate(() => this.next());
    }
  }

  /** Resolves once nothing waits or runs (shutdown, tests). */
  drained(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Drops what waits and takes nothing more (shutdown past its deadline); the running batch is told to stop. */
  close(): void {
    this.closing.abort();
    this.waiting.clear();
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
    void this.work(batch, this.closing.signal)
      .catch((err: unknown) => this.onError(err, batch))
      .finally(() => this.next());
  }
}
