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
 * A task may come in a kept lane, bounded apart from the rest, so a full line still takes it
 * (the caller decides who may, and how many). While both lanes wait they are served in turn:
 * the kept lane cannot hold the rest up for longer than about twice their wait.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly keptWaiting: (() => void)[] = [];
  private servedKeptLast = false;
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
      const next = this.nextWaiter();
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

  /** The next to run: the kept lane's and the rest's in turn while both wait. */
  private nextWaiter(): (() => void) | undefined {
    const kept = this.keptWaiting.length > 0 && !(this.servedKeptLast && this.waiting.length > 0);
    this.servedKeptLast = kept;
    return kept ? this.keptWaiting.shift() : this.waiting.shift();
  }

  /**
   * How long a newcomer would wait: its own lane ahead of it and, served in turn with it, as
   * many of the other lane's (at most), then a slot coming free. An estimate (a turn already
   * taken is not counted), and one admitted before later arrivals of the other lane may wait up
   * to about twice it: bounded either way, well under the proxy's timeout.
   */
  private expectedWaitMs(lane: Lane): number {
    const [own, other] = lane === 'kept' ? [this.keptWaiting, this.waiting] : [this.waiting, this.keptWaiting];
    const ahead = own.length + Math.min(other.length, own.length + (lane === 'kept' ? 0 : 1));
    return ((ahead + 1) * this.averageMs) / this.limit;
  }
}
