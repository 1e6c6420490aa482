import type { Types } from 'mongoose';
import { Affinity } from '../../models/affinity.model.js';
import { logger } from '../../utils/logger.js';

export type Engagement = 'view' | 'like' | 'comment' | 'share' | 'bookmark';

/** What each kind of engagement says about interest: a share or a comment says more than a view. */
export const ENGAGEMENT_WEIGHT: Record<Engagement, number> = { view: 1, like: 3, comment: 4, share: 5, bookmark: 4 };

/**
 * Raises the user's affinity with the post's author and hashtags. Off the response path
 * and best effort: losing one increment only nudges a ranking.
 */
export function noteEngagement(
  userId: string,
  post: { authorId: Types.ObjectId | string; hashtags?: string[] | null },
  kind: Engagement,
): void {
  if (String(post.authorId) === userId) return;
  const score = ENGAGEMENT_WEIGHT[kind];
  const now = new Date();
  const targets = [
    { kind: 'author', key: String(post.authorId) },
    ...(post.hashtags ?? []).slice(0, 10).map((tag) => ({ kind: 'tag', key: tag })),
  ];
  void Affinity.bulkWrite(
    targets.map((t) => ({
      updateOne: {
        filter: { _id: `${userId}|${t.kind}|${t.key}` },
        update: { $inc: { score }, $set: { updatedAt: now }, $setOnInsert: { userId, kind: t.kind, key: t.key } },
        upsert: true,
      },
    })),
    { ordered: false },
  ).catch((err: unknown) => logger.warn('affinity update failed', { error: String(err) }));
}

/** The user's strongest authors and tags, for ranking. */
export async function affinitiesOf(userId: string, top = 50) {
  const rows = await Affinity.find({ userId }, { kind: 1, key: 1, score: 1 }).lean();
  rows.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  const authors = new Map<string, number>();
  const tags = new Map<string, number>();
  for (const r of rows) {
    const map = r.kind === 'author' ? authors : tags;
    if (map.size < top) map.set(r.key, r.score ?? 0);
  }
  return { authors, tags };
}
