import type { Request, RequestHandler, Response } from 'express';
import { listTrendingTags, listViralPosts, reviewTrendingTag } from '../services/feeds/signals.service.js';
import { moderateContent, type ContentTarget } from '../services/posts/content-moderation.service.js';
import { callerId } from './caller.js';

export async function viralPosts(_req: Request, res: Response) {
  res.json({ posts: await listViralPosts() });
}

export async function trendingTags(req: Request, res: Response) {
  const status = (req.input.status as 'pending' | 'approved' | 'rejected' | undefined) ?? 'pending';
  res.json({ hashtags: await listTrendingTags(status) });
}

export async function reviewTrending(req: Request, res: Response) {
  const { tag, status } = req.input as { tag: string; status: 'approved' | 'rejected' };
  await reviewTrendingTag(callerId(req), tag, status);
  res.status(204).end();
}

export const moderate =
  (type: ContentTarget): RequestHandler =>
  async (req, res) => {
    await moderateContent(type, req.input.id as string, req.input.action as 'restore' | 'remove');
    res.status(204).end();
  };
