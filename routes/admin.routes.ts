import { Router } from 'express';
import * as admin from '../controllers/admin.controller.js';
import { authenticate, requireRole } from '../middlewares/auth.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import * as rules from '../validators/admin.validators.js';

/** Users, the report queue and scheduled notices, for admins and moderators, under /admin. */
export function adminRoutes(): Router {
  const router = Router();
  router.use(authenticate);
  const staff = requireRole('admin', 'moderator');
  router.get('/users/:userId', staff, validate(rules.userIdRules), admin.getUser);
  router.patch('/users/:userId/role', requireRole('admin'), validate(rules.roleRules), admin.updateRole);
  router.patch('/users/:userId/badge', requireRole('admin'), validate(rules.badgeRules), admin.updateBadge);
  router.patch('/users/:userId/ban', staff, validate(rules.banRules), admin.updateBan);
  router.get('/reports', staff, validate(rules.reportListRules), admin.reports);
  router.patch('/reports/:reportId', staff, validate(rules.reportDecisionRules), admin.updateReport);
  const adminOnly = requireRole('admin');
  router.post('/notices', adminOnly, validate(rules.systemNoticeRules), admin.scheduleNotice);
  router.get('/notices', adminOnly, validate(rules.noticeListRules), admin.notices);
  router.delete('/notices/:noticeId', adminOnly, validate(rules.noticeIdRules), admin.cancelNotice);
  return router;
}
