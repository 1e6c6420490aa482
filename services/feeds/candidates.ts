import { recentIndex, resetRecentIndex, type IndexTiming } from './recent-index.js';
import { POST_FIELDS, type PostDoc } from '../posts/post.view.js';
import { utcDay } from '../../utils/clock.js';

/** A post as the feeds rank it: what is shown, plus what ranking and filtering read. */
export type Candidate = PostDoc & {
  hiddenAt?: Date | null;
  viralAt?: Date | null;
  viralScore?: number | null;
};

export const CANDIDATE_FIELDS = `${POST_FIELDS} hiddenAt viralAt viralScore`;

export const daysBack = (n: number, now = new Date()) =>
  Array.from({ length: n }, (_, i) => utcDay(new Date(now.getTime() - i * 86_400_000)));

/** Engagement per hour since posting: the older a post, the more it takes to stay up. */
export function popularity(p: Candidate, now = Date.now()): number {
  const c = p.counters ?? {};
  const weighted = (c.likes ?? 0) + 2 * (c.comments ?? 0) + 3 * (c.shares ?? 0) + 2 * (c.bookmarks ?? 0) + 0.2 * (c.views ?? 0);
  const hours = Math.max(0, (now - (p.readyAt ?? p.createdAt ?? new Date()).valueOf()) / 3_600_000);
  return weighted / Math.pow(hours + 2, 1.2);
}

/** The shared pool every For You page draws popularity and discovery from (see recent-index). */
export async function hotPool(): Promise<Candidate[]> {
  return (await recentIndex()).pool;
}

/** Tests and benchmarks start from a cold cache. */
export function clearCandidateCaches(timing?: IndexTiming): void {
  resetRecentIndex(timing);
}
