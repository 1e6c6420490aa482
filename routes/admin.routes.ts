import { Router } from 'express';
import * as admin from '../controllers/admin.controller.js';
import { authenticate, requireRole } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import * as rules from '../validators/admin.validators.js';

/** Users, the report queue and scheduled notices, for admins and moderators, under /admin. */
export function adminRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.use(authenticate);
  const staff = requireRole('admin', 'moderator');
  const adminOnly = requireRole('admin');
  // Moderators find, suspend and sign out users and decide reports; only admins ban, grant plans and change roles.
  const lookups = limit.action('staffLookups');
  router.get('/users', staff, lookups, validate(rules.userListRules), admin.listUsers);
  router.get('/users/:userId', staff, lookups, validate(rules.userIdRules), admin.getUser);
  router.put('/users/:userId/suspension', staff, validate(rules.suspensionRules), admin.suspend);
  router.delete('/users/:userId/suspension', staff, validate(rules.userIdRules), admin.unsuspend);
  router.post('/users/:userId/sessions/end', staff, validate(rules.userIdRules), admin.endSessions);
  router.patch('/users/:userId/role', adminOnly, validate(rules.roleRules), admin.updateRole);
  router.patch('/users/:userId/badge', adminOnly, validate(rules.badgeRules), admin.updateBadge);
  router.patch('/users/:userId/ban', adminOnly, validate(rules.banRules), admin.updateBan);
  router.put('/users/:userId/plan', adminOnly, validate(rules.planGrantRules), admin.grantPlan);
  router.get('/matching/explain', adminOnly, validate(rules.explainRules), admin.explainMatching);
  router.get('/audit', adminOnly, validate(rules.auditSearchRules), admin.auditLog);
  router.get('/analytics', adminOnly, validate(rules.analyticsRules), admin.analytics);
  router.get('/analytics/series.csv', adminOnly, validate(rules.analyticsSeriesRules), admin.analyticsCsv);
  router.get('/settings', adminOnly, admin.settings);
  router.patch('/settings', adminOnly, validate(rules.runtimeSettingsRules), admin.changeSettings);
  router.get('/settings/history', adminOnly, validate(rules.settingsHistoryRules), admin.settingsHistory);
  router.get('/reports', staff, validate(rules.reportListRules), admin.reports);
  // The review queue: reports grouped by target, gravest first; decisions (ban: admins, checked with the case).
  router.get('/review', staff, validate(rules.reviewListRules), admin.reviewQueue);
  router.post('/review/:caseId/decision', staff, validate(rules.caseDecisionRules), admin.decide);
  router.patch('/reports/:reportId', staff, validate(rules.reportDecisionRules), admin.updateReport);
  router.post('/notices', adminOnly, validate(rules.systemNoticeRules), admin.scheduleNotice);
  router.get('/notices', adminOnly, validate(rules.noticeListRules), admin.notices);
  router.delete('/notices/:noticeId', adminOnly, validate(rules.noticeIdRules), admin.cancelNotice);
  return router;
}
