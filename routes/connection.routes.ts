import { Router } from 'express';
import * as connections from '../controllers/connection.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { sealedPageRules } from '../validators/common.validators.js';
import * as rules from '../validators/connection.validators.js';

/** Swipes, requests and friends, under /connections. */
export function connectionRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.use(authenticate);
  const lists = limit.action('peopleLists');
  router.get('/', lists, validate(sealedPageRules(100)), connections.friends);
  router.get('/requests/received', lists, validate(sealedPageRules(100)), connections.received);
  router.get('/requests/sent', lists, validate(sealedPageRules(100)), connections.sent);
  router.post('/requests/:requestId', limit.action('swipe'), validate(rules.reviewRules), connections.review);
  router.post('/:userId', limit.action('swipe'), validate(rules.swipeRules), connections.send);
  router.delete('/:userId', validate(rules.userIdParam), connections.remove);
  return router;
}
