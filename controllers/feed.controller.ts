import type { Request, Response } from 'express';
import { followingFeed, nearbyFeed, trending } from '../services/feeds/feed.service.js';
import { withAuthors } from '../services/feeds/authors.js';
import * as settings from '../services/feeds/feed-settings.service.js';
import { forYou as forYouFeed } from '../services/feeds/for-you.service.js';
import { callerId, inputOf, pageOf } from './caller.js';
import * as rules from '../validators/feed.validators.js';

export async function following(req: Request, res: Response) {
  res.json(await withAuthors(await followingFeed(callerId(req), pageOf(req))));
}

export async function forYou(req: Request, res: Response) {
  res.json(await withAuthors(await forYouFeed(callerId(req), pageOf(req))));
}

export async function trendingNow(req: Request, res: Response) {
  res.json(await trending(callerId(req), inputOf(req, rules.trendingRules).limit ?? 20));
}

export async function nearby(req: Request, res: Response) {
  const { lat, lng, km = 25 } = inputOf(req, rules.nearbyRules);
  res.json(await withAuthors(await nearbyFeed(callerId(req), { lat, lng, km }, pageOf(req))));
}

export async function getSettings(req: Request, res: Response) {
  res.json({ settings: await settings.getFeedSettings(callerId(req)) });
}

export async function updateSettings(req: Request, res: Response) {
  res.json({ settings: await settings.updateFeedSettings(callerId(req), inputOf(req, rules.feedSettingsRules)) });
}

export async function notInterested(req: Request, res: Response) {
  await settings.markNotInterested(callerId(req), inputOf(req, rules.feedPostParam).postId);
  res.status(204).end();
}

export async function undoNotInterested(req: Request, res: Response) {
  await settings.undoNotInterested(callerId(req), inputOf(req, rules.feedPostParam).postId);
  res.status(204).end();
}
