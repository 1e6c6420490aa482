import { Types } from 'mongoose';
import { FeedEntry } from '../../models/feed-entry.model.js';
import { Post } from '../../models/post.model.js';
import { TrendingTag } from '../../models/trending-tag.model.js';
import { coveringCells, distanceKm } from '../../utils/geo.js';
import { hiddenUserIds } from '../people/block.service.js';
import { isConnected } from '../connections/connection.service.js';
import { isObjectIdString, nextCursorOf, olderThan, openCursor, sealCursor } from '../page-cursor.js';
import { isServable } from '../posts/post.service.js';
import { postView } from '../posts/post.view.js';
import { CANDIDATE_FIELDS, hotPool, popularity, type Candidate } from './candidates.js';
import { getFeedSettings, type FeedPreferences } from './feed-settings.service.js';
import { withAuthors } from './authors.js';

const shown = (p: Candidate, extra: Record<string, unknown> = {}) => ({
  ...postView(p),
  failReason: null,
  viral: Boolean(p.viralAt),
  ...extra,
});

/**
 * What the viewer's feed settings keep out of every feed (For You has its own ranking of
 * the same): muted authors and hashtags, and posts marked sensitive while the filter is on.
 */
function keptOutBy(settings: FeedPreferences): (p: Candidate) => boolean {
  const authors = new Set(settings.mutedAuthors);
  const tags = new Set(settings.mutedTags);
  return (p) =>
    authors.has(String(p.authorId)) ||
    (settings.sensitiveFilter && Boolean(p.sensitive)) ||
    (p.hashtags ?? []).some((t) => tags.has(t));
}

/** isConnected for one viewer and many authors, each asked once per page. */
function memoConnected(viewerId: string): (authorId: string) => Promise<boolean> {
  const known = new Map<string, Promise<boolean>>();
  return (authorId) => {
    if (authorId === viewerId) return Promise.resolve(true);
    if (!known.has(authorId)) known.set(authorId, isConnected(viewerId, authorId));
    return known.get(authorId)!;
  };
}

/**
 * Following: connections' posts (and what they shared), newest first. One equality query
 * on the viewer's entries, then each post by id; anything no longer visible is skipped.
 */
export async function followingFeed(userId: string, page: { limit: number; cursor?: string }) {
  const [hidden, settings] = await Promise.all([hiddenUserIds(userId), getFeedSettings(userId)]);
  const blocked = new Set(hidden.map(String));
  const skip = new Set([...blocked, ...settings.mutedAuthors]);
  const keptOut = keptOutBy(settings);
  const connectedTo = memoConnected(userId);
  const entries = await FeedEntry.find({
    ownerId: new Types.ObjectId(userId),
    ...olderThan(page.cursor),
  })
    .sort({ _id: -1 })
    .limit(page.limit)
    .lean();
  const posts = await Promise.all(
    entries.map((e) =>
      skip.has(String(e.authorId)) ? null : Post.findById(e.postId, `${CANDIDATE_FIELDS} hiddenAt`).lean<Candidate>(),
    ),
  );
  const items = [];
  for (const [i, post] of posts.entries()) {
    if (!post || !isServable(post) || keptOut(post)) continue;
    const sharedBy = entries[i]!.sharedBy;
    if (sharedBy && blocked.has(String(sharedBy))) continue;
    // The entry says who it was for when written; visibility is the viewer's now (an
    // unfriend, a share by someone else's connection).
    if (post.visibility === 'connections' && !(await connectedTo(String(post.authorId)))) continue;
    items.push(shown(post, { sharedBy: sharedBy ? String(sharedBy) : null }));
  }
  return { items, nextCursor: nextCursorOf(entries, page.limit) };
}

const TRENDING_FOR_MS = 24 * 3_600_000;

/** Approved trending hashtags of the last day, and the most popular public posts now. */
export async function trending(userId: string, limit: number) {
  const since = Date.now() - TRENDING_FOR_MS;
  const [tags, pool, hidden, settings] = await Promise.all([
    TrendingTag.find({ status: 'approved' }, { score: 1, recent: 1, detectedAt: 1 }).lean(),
    hotPool(),
    hiddenUserIds(userId),
    getFeedSettings(userId),
  ]);
  const blocked = new Set(hidden.map(String));
  const keptOut = keptOutBy(settings);
  const now = Date.now();
  return {
    hashtags: tags
      .filter((t) => t.detectedAt.getTime() >= since)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map((t) => ({ tag: t._id, score: Math.round(t.score * 100) / 100, recentEngagement: t.recent })),
    posts: await topByStandingAuthors(
      pool.filter((p) => !blocked.has(String(p.authorId)) && !keptOut(p)).sort((a, b) => popularity(b, now) - popularity(a, now)),
      limit,
    ),
  };
}

/**
 * The first `limit` posts whose authors are in good standing, with who wrote them (as the
 * other feeds): a banned or suspended author's popular post leaves the list, the next in.
 */
async function topByStandingAuthors(ranked: Candidate[], limit: number) {
  const kept: Awaited<ReturnType<typeof withAuthors<ReturnType<typeof shown>>>>['items'] = [];
  // A slice at a time, a little more than what is missing: most authors are in good standing.
  for (let from = 0; kept.length < limit && from < ranked.length;) {
    const size = limit - kept.length + 5;
    const slice = ranked.slice(from, from + size).map((p) => shown(p));
    const { items } = await withAuthors({ items: slice, nextCursor: null });
    kept.push(...items);
    from += size;
  }
  return kept.slice(0, limit);
}

const NEARBY_PAGE = 'nearby-posts';

/**
 * Posts from places within `km` of a point, newest first: the grid cells covering the
 * circle are equality lookups (as people search does), then the exact distance in code.
 */
export async function nearbyFeed(
  userId: string,
  where: { lat: number; lng: number; km: number },
  page: { limit: number; cursor?: string },
) {
  const cells = coveringCells(where, where.km);
  // Sealed: the boundary can be a post this viewer may not see.
  const before = page.cursor ? { _id: { $lt: new Types.ObjectId(openCursor(NEARBY_PAGE, page.cursor, isObjectIdString)) } } : {};
  const lists = await Promise.all(
    cells.map((cell) =>
      Post.find({ geoCells: cell, ...before }, `${CANDIDATE_FIELDS} hiddenAt`)
        .sort({ _id: -1 })
        .limit(page.limit)
        .lean<Candidate[]>(),
    ),
  );
  // A cell that filled its page may hold older posts: nothing older than the newest such
  // cut-off is looked at on this page, and the next page starts there.
  const cutOffs = lists.filter((l) => l.length === page.limit).map((l) => String(l.at(-1)!._id));
  const boundary = cutOffs.length ? cutOffs.sort().at(-1)! : null;
  const unique = new Map<string, Candidate>();
  for (const p of lists.flat()) if (!boundary || String(p._id) >= boundary) unique.set(String(p._id), p);
  const newest = [...unique.values()].sort((a, b) => (String(a._id) < String(b._id) ? 1 : -1));
  const [hiddenIds, settings] = await Promise.all([hiddenUserIds(userId), getFeedSettings(userId)]);
  const hidden = new Set(hiddenIds.map(String));
  const keptOut = keptOutBy(settings);
  const mayConnect = memoConnected(userId);
  const items = [];
  for (const p of newest) {
    if (items.length === page.limit) break;
    if (p.status !== 'ready' || p.hiddenAt || p.place?.lat == null || p.place.lng == null) continue;
    const km = distanceKm(where, { lat: p.place.lat, lng: p.place.lng });
    const author = String(p.authorId);
    if (km > where.km || hidden.has(author) || (author !== userId && keptOut(p))) continue;
    if (author !== userId && p.visibility === 'connections' && !(await mayConnect(author))) continue;
    items.push(shown(p, { distanceKm: Math.round(km) }));
  }
  const full = items.length === page.limit;
  const next = full ? String(items.at(-1)!.id) : boundary;
  return { items, nextCursor: next ? sealCursor(NEARBY_PAGE, next) : null };
}
