import type { Request, RequestHandler, Response } from 'express';
import { listTrendingTags, listViralPosts, reviewTrendingTag } from '../services/feeds/signals.service.js';
import { moderateContent, type ContentTarget } from '../services/posts/content-moderation.service.js';
import { inputOf, staffOf } from './caller.js';
import * as rules from '../validators/admin.validators.js';

export async function viralPosts(_req: Request, res: Response) {
  res.json({ posts: await listViralPosts() });
}

export async function trendingTags(req: Request, res: Response) {
  const status = inputOf(req, rules.trendingListRules).status ?? 'pending';
  res.json({ hashtags: await listTrendingTags(status) });
}

export async function reviewTrending(req: Request, res: Response) {
  const { tag, status } = inputOf(req, rules.trendingReviewRules);
  await reviewTrendingTag(staffOf(req), tag, status);
  res.status(204).end();
}

export const moderate =
  (type: ContentTarget): RequestHandler =>
  async (req, res) => {
    const { id, action } = inputOf(req, rules.moderatePostRules);
    await moderateContent(staffOf(req), type, id, action);
    res.status(204).end();
  };
