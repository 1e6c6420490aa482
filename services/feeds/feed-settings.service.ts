import { Types } from 'mongoose';
import { FeedSettings } from '../../models/feed-settings.model.js';
import { NotInterested } from '../../models/not-interested.model.js';
import { getVisiblePost } from '../posts/post.service.js';

export interface FeedPreferences {
  mutedTags: string[];
  mutedAuthors: string[];
  preferredTopics: string[];
  sensitiveFilter: boolean;
}

export async function getFeedSettings(userId: string): Promise<FeedPreferences> {
  const s = await FeedSettings.findById(userId).lean();
  return {
    mutedTags: s?.mutedTags ?? [],
    mutedAuthors: (s?.mutedAuthors ?? []).map(String),
    preferredTopics: s?.preferredTopics ?? [],
    sensitiveFilter: s?.sensitiveFilter ?? true,
  };
}

/** Replaces the fields given; the others stay. */
export async function updateFeedSettings(userId: string, update: Partial<FeedPreferences>): Promise<FeedPreferences> {
  const $set: Record<string, unknown> = {};
  if (update.mutedTags) $set.mutedTags = [...new Set(update.mutedTags)];
  if (update.preferredTopics) $set.preferredTopics = [...new Set(update.preferredTopics)];
  if (update.mutedAuthors) $set.mutedAuthors = [...new Set(update.mutedAuthors)].map((id) => new Types.ObjectId(id));
  if (update.sensitiveFilter !== undefined) $set.sensitiveFilter = update.sensitiveFilter;
  await FeedSettings.updateOne({ _id: userId }, { $set }, { upsert: true });
  return getFeedSettings(userId);
}

/** "Not interested": the post never shows again, and posts of its author and hashtags rank lower. */
export async function markNotInterested(userId: string, postId: string): Promise<void> {
  const post = await getVisiblePost(userId, postId);
  await NotInterested.updateOne(
    { _id: `${userId}:${postId}` },
    { $setOnInsert: { userId, postId, authorId: post.authorId, hashtags: post.hashtags ?? [] } },
    { upsert: true },
  );
}

export async function undoNotInterested(userId: string, postId: string): Promise<void> {
  await NotInterested.deleteOne({ _id: `${userId}:${postId}` });
}

const REMEMBERED = 300;

/** The latest "not interested" marks, as posts to skip and penalties per author and hashtag. */
export async function notInterestedOf(userId: string) {
  const marks = await NotInterested.find({ userId: new Types.ObjectId(userId) }, { postId: 1, authorId: 1, hashtags: 1 })
    .sort({ _id: -1 })
    .limit(REMEMBERED)
    .lean();
  const posts = new Set(marks.map((m) => String(m.postId)));
  const authors = new Map<string, number>();
  const tags = new Map<string, number>();
  for (const m of marks) {
    authors.set(String(m.authorId), (authors.get(String(m.authorId)) ?? 0) + 1);
    for (const t of m.hashtags ?? []) tags.set(t, (tags.get(t) ?? 0) + 1);
  }
  return { posts, authors, tags };
}
