/** Thrown by a Semaphore whose waiting line is full. */
export class SemaphoreFullError extends Error {
  constructor() {
    super('too many tasks waiting');
  }
}

/** At most `limit` tasks at once; the rest wait in order, at most `maxWaiting` of them. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaiting = Infinity,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    // A line too long to be served in time is refused at once, not joined for good.
    else if (this.waiting.length >= this.maxWaiting) throw new SemaphoreFullError();
    // A finishing task hands its slot straight to the next waiter, so a newcomer can
    // never slip in between the release and the waiter's wake-up.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
