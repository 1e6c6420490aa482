import { Router } from 'express';
import * as feed from '../controllers/feed.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import * as rules from '../validators/feed.validators.js';

export function feedRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.use(authenticate);
  const reads = limit.action('feed');
  router.get('/following', reads, validate(rules.feedPageRules), feed.following);
  router.get('/for-you', reads, validate(rules.forYouRules), feed.forYou);
  router.get('/trending', reads, validate(rules.trendingRules), feed.trendingNow);
  router.get('/nearby', reads, validate(rules.nearbyRules), feed.nearby);
  router.get('/settings', feed.getSettings);
  router.patch('/settings', validate(rules.feedSettingsRules), feed.updateSettings);
  router.put('/not-interested/:postId', validate(rules.feedPostParam), feed.notInterested);
  router.delete('/not-interested/:postId', validate(rules.feedPostParam), feed.undoNotInterested);
  return router;
}
