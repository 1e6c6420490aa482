import { detectTrendingTags, detectViralPosts } from '../services/feeds/signals.service.js';
import { repairPostCounters } from '../services/posts/counters.js';
import { withJobLock } from '../services/job-lock.js';
import { logger } from '../utils/logger.js';
import { scheduleJob } from './schedule.js';

/**
 * Recounts the counters of posts engaged with in the last two days (insurance against a
 * crash between writes), marks posts going viral and finds trending hashtags.
 */
export async function runPostJobs(now = new Date()) {
  const repaired = await repairPostCounters(new Date(now.getTime() - 2 * 86_400_000));
  const viral = await detectViralPosts(now);
  const trending = await detectTrendingTags(now);
  logger.info('post jobs done', { repaired, viral: viral.length, trending: trending.length });
  return { repaired, viral, trending };
}

/** A run may take a while on a big day; the lease outlasts it, and a crashed holder's lapses. */
const LEASE_MS = 15 * 60_000;

/** One process at a time across the deployment runs the posts job (the others skip that tick). */
export const schedulePostJobs = (expression: string) =>
  scheduleJob(expression, 'posts', () => withJobLock('posts', LEASE_MS, async () => void (await runPostJobs())));
