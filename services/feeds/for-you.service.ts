import { Types } from 'mongoose';
import { FeedSession } from '../../models/feed-session.model.js';
import { Post } from '../../models/post.model.js';
import { User } from '../../models/user.model.js';
import { notFound } from '../../utils/app-error.js';
import { hiddenUserIds } from '../people/block.service.js';
import { affinitiesOf } from '../posts/affinity.js';
import { postView } from '../posts/post.view.js';
import { CANDIDATE_FIELDS, popularity, type Candidate } from './candidates.js';
import { getFeedSettings, notInterestedOf } from './feed-settings.service.js';
import { recentIndex, type RecentIndex } from './recent-index.js';

/** Ranking weights: what the viewer cares about first, then who they engage with, then what is rising. */
const WEIGHT = { interest: 0.35, author: 0.25, popularity: 0.25, freshness: 0.15, viral: 0.3 };
/** One in five items is discovery: popular posts outside the viewer's usual topics. */
const DISCOVERY_EVERY = 5;
const BATCH = 100;
const SESSION_MS = 2 * 3_600_000;
const TOP_TAGS = 6;
const TOP_AUTHORS = 5;

interface Viewer {
  id: string;
  tagWeights: Map<string, number>;
  authorWeights: Map<string, number>;
  excludedAuthors: Set<string>;
  mutedTags: Set<string>;
  skipPosts: Set<string>;
  tagPenalty: Map<string, number>;
  authorPenalty: Map<string, number>;
  sensitiveFilter: boolean;
}

const normalise = (m: Map<string, number>) => {
  const max = Math.max(1, ...m.values());
  return new Map([...m].map(([k, v]) => [k, Math.log1p(v) / Math.log1p(max)]));
};

/** Everything ranking needs to know about the viewer, read in parallel (five indexed reads). */
async function loadViewer(userId: string): Promise<Viewer> {
  const [user, settings, affinity, hidden, notInterested] = await Promise.all([
    User.findById(userId, { interests: 1 }).lean(),
    getFeedSettings(userId),
    affinitiesOf(userId),
    hiddenUserIds(userId),
    notInterestedOf(userId),
  ]);
  const tagWeights = normalise(affinity.tags);
  for (const t of user?.interests ?? []) tagWeights.set(t, Math.max(tagWeights.get(t) ?? 0, 0.5));
  for (const t of settings.preferredTopics) tagWeights.set(t, Math.max(tagWeights.get(t) ?? 0, 0.8));
  return {
    id: userId,
    tagWeights,
    authorWeights: normalise(affinity.authors),
    excludedAuthors: new Set([userId, ...hidden.map(String), ...settings.mutedAuthors]),
    mutedTags: new Set(settings.mutedTags),
    skipPosts: notInterested.posts,
    tagPenalty: notInterested.tags,
    authorPenalty: notInterested.authors,
    sensitiveFilter: settings.sensitiveFilter,
  };
}

function interestOf(v: Viewer, p: Candidate): number {
  let sum = 0;
  for (const t of p.hashtags ?? []) sum += v.tagWeights.get(t) ?? 0;
  return Math.min(1, sum);
}

function allowed(v: Viewer, p: Candidate, served: Set<string>): boolean {
  const id = String(p._id);
  if (served.has(id) || v.skipPosts.has(id) || v.excludedAuthors.has(String(p.authorId))) return false;
  if (v.sensitiveFilter && p.sensitive) return false;
  return !(p.hashtags ?? []).some((t) => v.mutedTags.has(t));
}

/**
 * Ranks candidates for one viewer: interest (hashtags against interests, preferred topics
 * and the tags they engage with), their affinity with the author, popularity with time
 * decay, freshness and a viral boost, less what "not interested" marked. Every fifth item
 * is discovery (popular posts sharing none of the viewer's topics).
 */
export function rankFor(
  v: Viewer,
  candidates: Candidate[],
  served: Set<string>,
  size: number,
  known: Map<string, number> = new Map(),
  now = Date.now(),
): Candidate[] {
  const unique = new Map<string, Candidate>();
  for (const p of candidates) if (allowed(v, p, served)) unique.set(String(p._id), p);
  const pool = [...unique.values()];
  const pop = new Map(pool.map((p) => [p, known.get(String(p._id)) ?? popularity(p, now)]));
  let maxPop = 1e-9;
  for (const value of pop.values()) maxPop = Math.max(maxPop, value);
  const scored = pool.map((p) => {
    const interest = interestOf(v, p);
    const hours = (now - (p.readyAt ?? p.createdAt ?? new Date()).valueOf()) / 3_600_000;
    const penalty =
      Math.min(1, 0.5 * (v.authorPenalty.get(String(p.authorId)) ?? 0)) +
      Math.min(
        1,
        (p.hashtags ?? []).reduce((s, t) => s + 0.25 * (v.tagPenalty.get(t) ?? 0), 0),
      );
    const score =
      WEIGHT.interest * interest +
      WEIGHT.author * (v.authorWeights.get(String(p.authorId)) ?? 0) +
      WEIGHT.popularity * (pop.get(p)! / maxPop) +
      WEIGHT.freshness * Math.exp(-Math.max(0, hours) / 24) +
      (p.viralAt ? WEIGHT.viral : 0) -
      penalty;
    return { p, score, interest };
  });
  const main = scored
    .filter((s) => s.interest > 0 || v.authorWeights.has(String(s.p.authorId)))
    .sort((a, b) => b.score - a.score);
  const discovery = scored
    .filter((s) => s.interest === 0 && !v.authorWeights.has(String(s.p.authorId)))
    .sort((a, b) => b.score - a.score);
  const out: Candidate[] = [];
  while (out.length < size && (main.length || discovery.length)) {
    const slotForDiscovery = (out.length + 1) % DISCOVERY_EVERY === 0;
    const next = (slotForDiscovery ? discovery.shift() : main.shift()) ?? main.shift() ?? discovery.shift();
    if (next) out.push(next.p);
  }
  return out;
}

/** Candidates from the shared pool and the viewer's top hashtags and authors, all from the in-memory index. */
async function candidatesFor(v: Viewer, index: RecentIndex): Promise<Candidate[]> {
  const tags = [...v.tagWeights]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_TAGS)
    .map(([t]) => t);
  const authors = [...v.authorWeights]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_AUTHORS)
    .map(([a]) => a);
  return [
    ...index.pool,
    ...tags.flatMap((t) => index.byTag.get(t) ?? []),
    ...authors.flatMap((a) => index.byAuthor.get(a) ?? []),
  ];
}

const encodeCursor = (sessionId: string, offset: number) => `${sessionId}.${offset}`;

function decodeCursor(cursor: string): { sessionId: string; offset: number } | null {
  const [sessionId, offset] = cursor.split('.');
  if (!sessionId || !Types.ObjectId.isValid(sessionId) || !/^\d{1,4}$/.test(offset ?? '')) return null;
  return { sessionId, offset: Number(offset) };
}

/**
 * The posts of a page, in order: from the index of recent posts (which drops deleted and
 * hidden ones within a refresh), else read by id; anything gone meanwhile is skipped.
 */
async function render(ids: Types.ObjectId[], index: RecentIndex, keep: (p: Candidate) => boolean) {
  const posts = await Promise.all(
    ids.map((id) => index.get(String(id)) ?? Post.findById(id, CANDIDATE_FIELDS).lean<Candidate>()),
  );
  return posts
    .filter((p): p is Candidate => Boolean(p) && p!.status === 'ready' && !p!.hiddenAt && keep(p!))
    .map((p) => ({ ...postView(p), failReason: null, viral: Boolean(p.viralAt) }));
}

/**
 * The For You feed, a page at a time. The first page ranks a batch and keeps its order in a
 * session; later pages are slices of it (stable, never a repeat), and a spent batch is
 * followed by a new one ranked without anything the session already served.
 */
export async function forYou(userId: string, page: { limit: number; cursor?: string }) {
  const at = page.cursor ? decodeCursor(page.cursor) : null;
  if (page.cursor && !at) throw notFound('Feed session');
  let session = at
    ? await FeedSession.findOne({ _id: at.sessionId, userId: new Types.ObjectId(userId) }, { items: 1 }).lean()
    : null;
  if (at && !session) throw notFound('Feed session');
  const offset = at?.offset ?? 0;
  // Read on every page: a block, a mute or "not interested" made mid-session applies at once.
  const [viewer, index] = await Promise.all([loadViewer(userId), recentIndex()]);
  if (!session || session.items.length < offset + page.limit) {
    const served = new Set((session?.items ?? []).map(String));
    const ranked = rankFor(viewer, await candidatesFor(viewer, index), served, BATCH, index.popularity);
    const ids = ranked.map((p) => p._id);
    if (!session) {
      const created = await FeedSession.create({ userId, items: ids, expiresAt: new Date(Date.now() + SESSION_MS) });
      session = { _id: created._id, items: ids };
    } else if (ids.length) {
      await FeedSession.updateOne({ _id: session._id }, { $push: { items: { $each: ids } } });
      session = { ...session, items: [...session.items, ...ids] };
    }
  }
  const slice = session.items.slice(offset, offset + page.limit);
  const items = await render(slice, index, (p) => allowed(viewer, p, new Set()));
  const next = offset + slice.length;
  return { items, nextCursor: slice.length === page.limit ? encodeCursor(String(session._id), next) : null };
}

/** Sessions end after two hours (no TTL indexes on FerretDB: the clean-up job deletes them). */
export async function deleteExpiredFeedSessions(now = new Date()): Promise<number> {
  return (await FeedSession.deleteMany({ expiresAt: { $lt: now } })).deletedCount;
}
