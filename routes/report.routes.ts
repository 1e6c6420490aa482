import { Router } from 'express';
import { createReport } from '../controllers/report.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { reportRules } from '../validators/user.validators.js';

export function reportRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.post('/', authenticate, limit.action('report'), validate(reportRules), createReport);
  return router;
}
