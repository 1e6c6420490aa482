import { Router } from 'express';
import * as match from '../controllers/match.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { pageRules } from '../validators/common.validators.js';

/** One's matches and what is going on now, under /match. */
export function matchRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.use(authenticate);
  router.get('/history', limit.action('peopleLists'), validate(pageRules(100)), match.history);
  router.get('/active', match.active);
  return router;
}
