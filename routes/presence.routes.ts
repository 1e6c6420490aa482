import { Router } from 'express';
import { batch } from '../controllers/presence.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { presenceRules } from '../validators/presence.validators.js';

/** Presence of several people at once, under /presence. */
export function presenceRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.get('/', authenticate, limit.action('presence'), validate(presenceRules), batch);
  return router;
}
