import { COUNTER_NAMES } from '../../models/engagement-counts.js';
import { HourStat } from '../../models/hour-stat.model.js';
import { PostChange } from '../../models/post-change.model.js';
import { Post } from '../../models/post.model.js';

import { CANDIDATE_FIELDS, popularity, type Candidate } from './candidates.js';
import { hourKey, utcDay } from '../../utils/clock.js';

const WINDOW_HOURS = 48;
const POOL_SIZE = 1500;
const PER_TAG = 80;
type Counts = Partial<Record<(typeof COUNTER_NAMES)[number], number>>;

const servable = (p: Candidate) => p.status === 'ready' && !p.hiddenAt && p.visibility === 'public';
const hoursBack = (n: number, now = Date.now()) => Array.from({ length: n }, (_, i) => hourKey(new Date(now - i * 3_600_000)));

export interface IndexTiming {
  /** While the feed is in use, the index refreshes this often in the background. */
  refreshMs: number;
  /** Without a request for this long the background refresh stops; the next request refreshes first. */
  idleMs: number;
}

const DEFAULT_TIMING: IndexTiming = { refreshMs: 15_000, idleMs: 120_000 };

/**
 * The last two days' public posts, held in memory by each process and kept current
 * incrementally: each refresh reads only the current hour's new posts (an equality on
 * readyHour) and the hour's engagement rows, adding their deltas to the counters. While
 * anyone uses the feed it refreshes in the background every refreshMs; a request that
 * finds it older than that (after an idle spell) waits for a refresh rather than be
 * served what was there before. Once loaded, no For You request scans posts: the popular
 * pool and the per-hashtag lists are rebuilt from memory after each refresh. Posts are
 * re-read by id when served, so a post deleted or hidden meanwhile is never shown.
 */
export class RecentIndex {
  private readonly posts = new Map<string, Candidate>();
  private readonly applied = new Map<string, Counts>();
  private loading?: Promise<void>;
  private refreshing?: Promise<void>;
  private refreshedAt = 0;
  private usedAt = 0;
  private warm?: NodeJS.Timeout;

  constructor(private readonly timing: IndexTiming = DEFAULT_TIMING) {}
  pool: Candidate[] = [];
  byTag = new Map<string, Candidate[]>();
  byAuthor = new Map<string, Candidate[]>();
  /** Popularity at the last rebuild, so ranking does not recompute it per viewer. */
  popularity = new Map<string, number>();

  /** A post as the index holds it (current to within a refresh), if it is recent. */
  get(id: string): Candidate | undefined {
    return this.posts.get(id);
  }

  async current(): Promise<this> {
    this.loading ??= this.loadAll();
    await this.loading;
    this.usedAt = Date.now();
    this.keepWarm();
    // Stale (nobody asked for a while): fresh content first. A refresh under way is shared.
    if (Date.now() - this.refreshedAt > this.timing.refreshMs * 1.5) await this.refreshOnce().catch(() => undefined);
    return this;
  }

  private refreshOnce(): Promise<void> {
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Refreshes in the background while the feed is in use; stops after an idle spell. */
  private keepWarm(): void {
    if (this.warm) return;
    this.warm = setInterval(() => {
      if (Date.now() - this.usedAt > this.timing.idleMs) return this.stop();
      void this.refreshOnce().catch(() => undefined);
    }, this.timing.refreshMs);
    this.warm.unref();
  }

  stop(): void {
    clearInterval(this.warm);
    this.warm = undefined;
  }

  private add(p: Candidate) {
    if (!this.posts.has(String(p._id))) this.posts.set(String(p._id), p);
  }

  /** Counts the engagement rows of some hours; on the first load they are already in the posts' counters. */
  private async applyHours(hours: string[], alreadyCounted: boolean) {
    const rows = (await Promise.all(hours.map((hour) => HourStat.find({ kind: 'post', hour }).lean()))).flat();
    for (const row of rows) {
      const key = `${row.key}:${row.hour}`;
      const before = this.applied.get(key) ?? {};
      const post = this.posts.get(row.key);
      if (post && !alreadyCounted) {
        const counters = { ...(post.counters ?? {}) } as Counts;
        for (const c of COUNTER_NAMES) counters[c] = (counters[c] ?? 0) + (row[c] ?? 0) - (before[c] ?? 0);
        post.counters = counters;
      }
      this.applied.set(key, Object.fromEntries(COUNTER_NAMES.map((c) => [c, row[c] ?? 0])));
    }
  }

  private async loadViral(now: number) {
    const days = [0, 1, 2].map((d) => utcDay(new Date(now - d * 86_400_000)));
    const viral = (
      await Promise.all(days.map((day) => Post.find({ viralDay: day }, CANDIDATE_FIELDS).lean<Candidate[]>()))
    ).flat();
    for (const p of viral) {
      const known = this.posts.get(String(p._id));
      if (known) known.viralAt = p.viralAt;
      else this.posts.set(String(p._id), p);
    }
  }

  private async loadAll() {
    const now = Date.now();
    const hours = hoursBack(WINDOW_HOURS + 1, now);
    for (let i = 0; i < hours.length; i += 8) {
      const lists = await Promise.all(
        hours.slice(i, i + 8).map((hour) => Post.find({ readyHour: hour }, CANDIDATE_FIELDS).lean<Candidate[]>()),
      );
      for (const p of lists.flat()) this.add(p);
    }
    await Promise.all([this.applyHours(hoursBack(2, now), true), this.loadViral(now)]);
    this.rebuild(now);
    this.refreshedAt = Date.now();
  }

  /** Posts edited, deleted, hidden or restored lately: re-read, or dropped when gone. */
  private async applyChanges(hours: string[]) {
    const changes = (await Promise.all(hours.map((hour) => PostChange.find({ hour }, { postId: 1 }).lean()))).flat();
    const ids = [...new Set(changes.map((c) => String(c.postId)))].filter((id) => this.posts.has(id));
    const current = await Promise.all(ids.map((id) => Post.findById(id, CANDIDATE_FIELDS).lean<Candidate>()));
    ids.forEach((id, i) => {
      const post = current[i];
      if (post) this.posts.set(id, { ...post, counters: this.posts.get(id)!.counters });
      else this.posts.delete(id);
    });
  }

  private async refresh() {
    const now = Date.now();
    const hours = hoursBack(2, now);
    // Only posts not yet held: the newest id seen per hour bounds what is read into memory.
    const fresh = (await Promise.all(hours.map((hour) => Post.find({ readyHour: hour }, { _id: 1 }).lean()))).flat();
    const unseen = fresh.map((p) => String(p._id)).filter((id) => !this.posts.has(id));
    const added = await Promise.all(unseen.map((id) => Post.findById(id, CANDIDATE_FIELDS).lean<Candidate>()));
    for (const p of added) if (p) this.add(p);
    await this.applyChanges(hours);
    await Promise.all([this.applyHours(hours, false), this.loadViral(now)]);
    const oldest = now - WINDOW_HOURS * 3_600_000;
    for (const [id, p] of this.posts) {
      if ((p.readyAt ?? p.createdAt ?? new Date()).valueOf() < oldest && !p.viralAt) this.posts.delete(id);
    }
    for (const key of this.applied.keys()) if (!hours.includes(key.slice(key.lastIndexOf(':') + 1))) this.applied.delete(key);
    this.rebuild(now);
    this.refreshedAt = Date.now();
  }

  private rebuild(now: number) {
    const live = [...this.posts.values()].filter(servable);
    const scored = live.map((p) => ({ p, pop: popularity(p, now) })).sort((a, b) => b.pop - a.pop);
    this.popularity = new Map(scored.map((s) => [String(s.p._id), s.pop]));
    const viral = scored.filter((s) => s.p.viralAt).map((s) => s.p);
    const top = scored.slice(0, POOL_SIZE).map((s) => s.p);
    this.pool = [...new Set([...top, ...viral])];
    const byTag = new Map<string, Candidate[]>();
    for (const { p } of scored) {
      for (const tag of p.hashtags ?? []) {
        const list = byTag.get(tag) ?? [];
        if (list.length < PER_TAG) list.push(p);
        byTag.set(tag, list);
      }
    }
    this.byTag = byTag;
    const byAuthor = new Map<string, Candidate[]>();
    for (const { p } of scored) {
      const list = byAuthor.get(String(p.authorId)) ?? [];
      if (list.length < 10) list.push(p);
      byAuthor.set(String(p.authorId), list);
    }
    this.byAuthor = byAuthor;
  }
}

let index = new RecentIndex();

export async function recentIndex(): Promise<RecentIndex> {
  return index.current();
}

/** Tests and benchmarks start from an empty index (with timings of their own, if they give them). */
export function resetRecentIndex(timing?: IndexTiming): void {
  index.stop();
  index = new RecentIndex(timing);
}
