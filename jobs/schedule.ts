import cron from 'node-cron';
import { errorMessage, logger } from '../utils/logger.js';
import { timeJob } from '../utils/metrics.js';

/** Runs `job` on a cron expression, timed into the metrics; a failure is logged and the next run goes ahead. */
export function scheduleJob(expression: string, name: string, job: () => Promise<unknown>): { stop: () => void } {
  const task = cron.schedule(expression, () => {
    timeJob(name, job).catch((err: unknown) => logger.error(`${name} failed`, { error: errorMessage(err) }));
  });
  return { stop: () => void task.stop() };
}
