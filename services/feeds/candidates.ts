import type { Types } from 'mongoose';
import { Post } from '../../models/post.model.js';
import { utcDay } from '../quota.service.js';
import { POST_FIELDS, type PostDoc } from '../posts/post.view.js';

/** A post as the feeds rank it: what is shown, plus what ranking and filtering read. */
export type Candidate = PostDoc & {
  sensitive?: boolean | null;
  hiddenAt?: Date | null;
  viralAt?: Date | null;
  viralScore?: number | null;
};

export const CANDIDATE_FIELDS = `${POST_FIELDS} sensitive hiddenAt viralAt viralScore`;
const POOL_TTL_MS = 30_000;
const POOL_SIZE = 1500;
const TAG_TTL_MS = 30_000;

export const daysBack = (n: number, now = new Date()) =>
  Array.from({ length: n }, (_, i) => utcDay(new Date(now.getTime() - i * 86_400_000)));

/** Engagement per hour since posting: the older a post, the more it takes to stay up. */
export function popularity(p: Candidate, now = Date.now()): number {
  const c = p.counters ?? {};
  const weighted = (c.likes ?? 0) + 2 * (c.comments ?? 0) + 3 * (c.shares ?? 0) + 2 * (c.bookmarks ?? 0) + 0.2 * (c.views ?? 0);
  const hours = Math.max(0, (now - (p.readyAt ?? p.createdAt ?? new Date()).valueOf()) / 3_600_000);
  return weighted / Math.pow(hours + 2, 1.2);
}

const servable = (p: Candidate) => p.status === 'ready' && !p.hiddenAt && p.visibility === 'public';

/**
 * A small time-to-live cache with one load in flight per key: many viewers asking for the
 * same pool or hashtag in the same seconds cost one query.
 */
class TtlCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();
  constructor(private readonly ttlMs: number) {}
  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = load();
    this.entries.set(key, { at: Date.now(), value });
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > 5000) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
  clear() {
    this.entries.clear();
  }
}

const pools = new TtlCache<Candidate[]>(POOL_TTL_MS);
const tagLists = new TtlCache<Candidate[]>(TAG_TTL_MS);

/**
 * The shared pool every For You page draws popularity and discovery from: the public posts
 * of today and yesterday (one equality query per day), the most popular first, and every
 * post marked viral in the last three days.
 */
export function hotPool(): Promise<Candidate[]> {
  return pools.get('hot', async () => {
    const [recent, viral] = await Promise.all([
      Promise.all(daysBack(2).map((day) => Post.find({ readyDay: day }, CANDIDATE_FIELDS).lean<Candidate[]>())),
      Promise.all(daysBack(3).map((day) => Post.find({ viralDay: day }, CANDIDATE_FIELDS).lean<Candidate[]>())),
    ]);
    const now = Date.now();
    const top = recent
      .flat()
      .filter(servable)
      .sort((a, b) => popularity(b, now) - popularity(a, now))
      .slice(0, POOL_SIZE);
    const seen = new Set(top.map((p) => String(p._id)));
    return [...top, ...viral.flat().filter((p) => servable(p) && !seen.has(String(p._id)))];
  });
}

/** The newest public posts with a hashtag over the last days (an equality per tag and day). */
export function postsTagged(tag: string, days = 2, perDay = 40): Promise<Candidate[]> {
  return tagLists.get(`${tag}|${days}`, async () => {
    const lists = await Promise.all(
      daysBack(days).map((day) =>
        Post.find({ tagDays: `${tag}|${day}` }, CANDIDATE_FIELDS)
          .sort({ _id: -1 })
          .limit(perDay)
          .lean<Candidate[]>(),
      ),
    );
    return lists.flat().filter(servable);
  });
}

/** An author's newest public posts. */
export async function postsBy(authorId: string, limit = 6): Promise<Candidate[]> {
  const posts = await Post.find({ authorId: authorId as unknown as Types.ObjectId }, CANDIDATE_FIELDS)
    .sort({ _id: -1 })
    .limit(limit)
    .lean<Candidate[]>();
  return posts.filter(servable);
}

/** Tests and benchmarks start from a cold cache. */
export function clearCandidateCaches(): void {
  pools.clear();
  tagLists.clear();
}
