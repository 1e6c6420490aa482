import { Router } from 'express';
import { query } from 'express-validator';
import { batch } from '../controllers/presence.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';

/** Presence of several people at once, under /presence. */
export function presenceRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.get(
    '/',
    authenticate,
    limit.action('presence'),
    validate([
      query('ids')
        .isString()
        .withMessage('must be comma-separated user ids')
        .bail()
        .customSanitizer((v: string) => [...new Set(v.split(','))])
        .custom((list: string[]) => list.length <= 100 && list.every((id) => /^[a-f0-9]{24}$/.test(id)))
        .withMessage('must be up to 100 comma-separated user ids'),
    ]),
    batch,
  );
  return router;
}
