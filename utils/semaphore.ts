/** Thrown by a Semaphore whose waiting line is longer than it may wait. */
export class SemaphoreFullError extends Error {
  constructor() {
    super('the wait would be too long');
  }
}

/** The line a task waits in: everyone's, or the kept lane served first. */
export type Lane = 'shared' | 'kept';

/** How much a task's duration moves the average it keeps (the last few dozen weigh most). */
const AVERAGE_WEIGHT = 0.1;

/**
 * At most `limit` tasks at once; the rest wait in order. With `maxWaitMs`, a newcomer whose
 * wait would be longer (the tasks ahead of it, at the average task's duration, spread over
 * the slots) is refused at once rather than joining a line it would time out in.
 * A task may come in a kept lane: served before the rest, and bounded by its own waiters
 * only, so a full line still takes it (the caller decides who may, and how many).
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly keptWaiting: (() => void)[] = [];
  private averageMs: number;
  private measured = false;

  /**
   * `estimateMs`: a task's duration until one has been measured (else the line would be
   * unbounded from every start until its first task ends).
   */
  constructor(
    private readonly limit: number,
    private readonly options: { maxWaitMs?: number; estimateMs?: number } = {},
  ) {
    this.averageMs = options.estimateMs ?? 0;
  }

  async run<T>(task: () => Promise<T>, lane: Lane = 'shared'): Promise<T> {
    if (this.active < this.limit) this.active++;
    else if (this.wouldRefuse(lane)) throw new SemaphoreFullError();
    // A finishing task hands its slot straight to the next waiter, so a newcomer can
    // never slip in between the release and the waiter's wake-up.
    else await new Promise<void>((resolve) => (lane === 'kept' ? this.keptWaiting : this.waiting).push(resolve));
    const started = performance.now();
    try {
      return await task();
    } finally {
      const took = performance.now() - started;
      // The first measurement replaces the estimate; later ones move the average.
      this.averageMs = this.measured ? this.averageMs + AVERAGE_WEIGHT * (took - this.averageMs) : took;
      this.measured = true;
      const next = this.keptWaiting.shift() ?? this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Whether a newcomer would be refused right now (for a caller that must know before it spends anything). */
  wouldRefuse(lane: Lane = 'shared'): boolean {
    return (
      this.active >= this.limit && this.options.maxWaitMs !== undefined && this.expectedWaitMs(lane) > this.options.maxWaitMs
    );
  }

  /** How long a newcomer would wait: everyone waiting ahead of it (in the kept lane: only its own), then a slot coming free. */
  private expectedWaitMs(lane: Lane): number {
    const ahead = this.keptWaiting.length + (lane === 'kept' ? 0 : this.waiting.length);
    return ((ahead + 1) * this.averageMs) / this.limit;
  }
}
