import { errorMessage, logger } from './logger.js';
import { timeJob } from './metrics.js';

/**
 * Runs `work` every `ms`, never two at once (a slow run makes the next tick skip), with
 * failures logged as `what failed`; the timer does not keep the process alive. Returns
 * the stop.
 */
export function repeatWithoutOverlap(ms: number, what: string, work: () => Promise<unknown>): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    timeJob(what, work)
      .catch((err: unknown) => logger.warn(`${what} failed`, { error: errorMessage(err) }))
      .finally(() => (running = false));
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}
