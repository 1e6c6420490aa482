import { Router } from 'express';
import { body, param, query } from 'express-validator';
import * as admin from '../controllers/admin.controller.js';
import { authenticate, requireRole } from '../middlewares/auth.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { REPORT_STATUSES } from '../models/report.model.js';
import { ROLES } from '../models/user.model.js';
import { pageRules } from '../validators/common.validators.js';

const userIdParam = param('userId').isMongoId().withMessage('must be a user id');

export function adminRoutes(): Router {
  const router = Router();
  router.use(authenticate);
  router.get('/users/:userId', requireRole('admin', 'moderator'), validate([userIdParam]), admin.getUser);
  router.patch(
    '/users/:userId/role',
    requireRole('admin'),
    validate([
      userIdParam,
      body('role')
        .isIn(ROLES)
        .withMessage(`must be one of ${ROLES.join(', ')}`),
    ]),
    admin.updateRole,
  );
  router.patch(
    '/users/:userId/badge',
    requireRole('admin'),
    validate([userIdParam, body('verifiedBadge').isBoolean({ strict: true }).withMessage('must be true or false')]),
    admin.updateBadge,
  );
  router.patch(
    '/users/:userId/ban',
    requireRole('admin', 'moderator'),
    validate([userIdParam, body('banned').isBoolean({ strict: true }).withMessage('must be true or false')]),
    admin.updateBan,
  );
  router.get(
    '/reports',
    requireRole('admin', 'moderator'),
    validate([
      query('status')
        .optional()
        .isIn(REPORT_STATUSES)
        .withMessage(`must be one of ${REPORT_STATUSES.join(', ')}`),
      ...pageRules(100),
    ]),
    admin.reports,
  );
  router.patch(
    '/reports/:reportId',
    requireRole('admin', 'moderator'),
    validate([
      param('reportId').isMongoId().withMessage('must be a report id'),
      body('status').isIn(['reviewed', 'dismissed']).withMessage('must be reviewed or dismissed'),
    ]),
    admin.updateReport,
  );
  return router;
}
