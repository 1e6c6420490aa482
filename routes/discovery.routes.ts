import { Router } from 'express';
import { feed } from '../controllers/discovery.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { discoveryRules } from '../validators/discovery.validators.js';

/** The swipe feed, under /discover. */
export function discoveryRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.get('/', authenticate, limit.action('discover'), validate(discoveryRules), feed);
  return router;
}
