import { repairPostCounters } from '../services/posts/counters.js';
import { logger } from '../utils/logger.js';
import { scheduleJob } from './schedule.js';

/** Recounts the counters of posts engaged with in the last two days (cheap insurance against a crash between writes). */
export async function runPostJobs(now = new Date()): Promise<{ repaired: number }> {
  const repaired = await repairPostCounters(new Date(now.getTime() - 2 * 86_400_000));
  logger.info('post jobs done', { repaired });
  return { repaired };
}

export const schedulePostJobs = (expression: string) => scheduleJob(expression, 'posts', runPostJobs);
