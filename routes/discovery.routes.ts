import { Router } from 'express';
import { query } from 'express-validator';
import { feed } from '../controllers/discovery.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { DISCOVERY_MAX_PAGE } from '../services/discovery.service.js';
import { optionalQueryInt } from '../validators/common.validators.js';

/** The swipe feed, under /discover. */
export function discoveryRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.get(
    '/',
    authenticate,
    limit.action('discover'),
    validate([
      optionalQueryInt('limit', 1, DISCOVERY_MAX_PAGE),
      query('cursor').optional().isString().isLength({ max: 300 }).withMessage('is not a cursor from a previous page'),
    ]),
    feed,
  );
  return router;
}
