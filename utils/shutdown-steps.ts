import { errorMessage, logger } from './logger.js';
import { withTimeout } from './timeout.js';

/**
 * The steps of a shutdown, in order, under one deadline: a store that stalls (a Redis that
 * stops answering with its connection open, a database gone) holds one step for at most its
 * own bound and never past the deadline, so the steps after it (the writes that keep data)
 * still run and the process exits before the process manager kills it.
 */
export function shutdownSteps(deadline: number) {
  return async function step(name: string, work: () => Promise<unknown> | undefined, boundMs = Infinity): Promise<void> {
    const left = Math.min(boundMs, deadline - Date.now());
    if (left <= 0) return void logger.warn('shutdown step skipped: out of time', { step: name });
    await withTimeout(Promise.resolve().then(work), left).catch((err: unknown) =>
      logger.warn('shutdown step did not finish', { step: name, error: errorMessage(err) }),
    );
  };
}
