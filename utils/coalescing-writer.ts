/**
 * Write-behind for values that only move forward (a conversation's last message, a read
 * pointer): the latest value per key is written, at most one write per key at a time and
 * one per `minIntervalMs`, so a busy key costs a few writes a second however many values
 * arrive. What is not yet written is readable with `pending` (readers overlay it), and
 * `flush` writes everything now (shutdown, tests).
 */
const WRITE_ATTEMPTS = 5;

export class CoalescingWriter<V> {
  private readonly waiting = new Map<string, V>();
  private readonly writing = new Map<string, V>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly lastStart = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private hurry = false;

  constructor(
    private readonly options: {
      /** Whether `a` is ahead of `b` (the one kept when both wait). */
      newer: (a: V, b: V) => boolean;
      write: (key: string, value: V) => Promise<unknown>;
      /** A failed write (logged by the owner). It is tried again (still readable with `pending`) a few times, then dropped. */
      onError: (key: string, err: unknown) => void;
      minIntervalMs: number;
    },
  ) {}

  put(key: string, value: V): void {
    const ahead = this.waiting.get(key);
    if (ahead === undefined || this.options.newer(value, ahead)) this.waiting.set(key, value);
    if (!this.running.has(key)) this.run(key);
  }

  /** The newest value not yet known to be stored, if any. */
  pending(key: string): V | undefined {
    const waiting = this.waiting.get(key);
    const writing = this.writing.get(key);
    if (waiting === undefined) return writing;
    if (writing === undefined) return waiting;
    return this.options.newer(writing, waiting) ? writing : waiting;
  }

  /** Writes everything waiting now, without the interval, and resolves when all is stored. */
  async flush(): Promise<void> {
    this.hurry = true;
    try {
      while (this.running.size) await Promise.all([...this.running.values()]);
    } finally {
      this.hurry = false;
    }
  }

  private run(key: string): void {
    const loop = async () => {
      for (;;) {
        const wait = (this.lastStart.get(key) ?? 0) + this.options.minIntervalMs - Date.now();
        if (wait > 0 && !this.hurry) await new Promise((resolve) => setTimeout(resolve, wait));
        const value = this.waiting.get(key);
        if (value === undefined) break;
        this.waiting.delete(key);
        this.writing.set(key, value);
        this.lastStart.set(key, Date.now());
        const stored = await this.options.write(key, value).then(
          () => true,
          (err: unknown) => {
            this.options.onError(key, err);
            return false;
          },
        );
        this.writing.delete(key);
        // A failed value goes back to wait (unless a newer one, which covers it, is waiting).
        const tries = stored ? 0 : (this.failures.get(key) ?? 0) + 1;
        if (tries > 0 && tries < WRITE_ATTEMPTS && !this.waiting.has(key)) this.waiting.set(key, value);
        if (tries > 0 && tries < WRITE_ATTEMPTS) this.failures.set(key, tries);
        else this.failures.delete(key);
        if (!this.waiting.has(key)) break;
      }
    };
    const done = loop().finally(() => {
      this.running.delete(key);
      // Only the interval's memory: a key idle for longer writes at once next time.
      setTimeout(() => {
        if (!this.running.has(key)) this.lastStart.delete(key);
      }, this.options.minIntervalMs).unref();
    });
    this.running.set(key, done);
  }
}
