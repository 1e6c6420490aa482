import { Router } from 'express';
import { createReport } from '../controllers/report.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { reportRules } from '../validators/user.validators.js';

export function reportRoutes(): Router {
  const router = Router();
  router.post('/', authenticate, validate(reportRules), createReport);
  return router;
}
