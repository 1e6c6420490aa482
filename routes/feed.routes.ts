import { Router } from 'express';
import * as feed from '../controllers/feed.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import * as rules from '../validators/feed.validators.js';

export function feedRoutes(): Router {
  const router = Router();
  router.use(authenticate);
  router.get('/following', validate(rules.feedPageRules), feed.following);
  router.get('/for-you', validate(rules.forYouRules), feed.forYou);
  router.get('/trending', validate(rules.trendingRules), feed.trendingNow);
  router.get('/nearby', validate(rules.nearbyRules), feed.nearby);
  router.get('/settings', feed.getSettings);
  router.patch('/settings', validate(rules.feedSettingsRules), feed.updateSettings);
  router.put('/not-interested/:postId', validate(rules.feedPostParam), feed.notInterested);
  router.delete('/not-interested/:postId', validate(rules.feedPostParam), feed.undoNotInterested);
  return router;
}
