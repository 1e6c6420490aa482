import { body, param, query } from 'express-validator';
import { REPORT_STATUSES } from '../models/report.model.js';
import { TREND_STATUS } from '../models/trending-tag.model.js';
import { ROLES } from '../models/user.model.js';
import { inputRules, pageRules } from './common.validators.js';

const userIdParam = param('userId').isMongoId().withMessage('must be a user id');

export const userIdRules = inputRules<{ userId: string }>([userIdParam]);
export const roleRules = inputRules<{ userId: string; role: (typeof ROLES)[number] }>([
  userIdParam,
  body('role')
    .isIn(ROLES)
    .withMessage(`must be one of ${ROLES.join(', ')}`),
]);
export const badgeRules = inputRules<{ userId: string; verifiedBadge: boolean }>([
  userIdParam,
  body('verifiedBadge').isBoolean({ strict: true }).withMessage('must be true or false'),
]);
export const banRules = inputRules<{ userId: string; banned: boolean }>([
  userIdParam,
  body('banned').isBoolean({ strict: true }).withMessage('must be true or false'),
]);
export const reportListRules = inputRules<{ status?: (typeof REPORT_STATUSES)[number]; limit?: number; cursor?: string }>([
  query('status')
    .optional()
    .isIn(REPORT_STATUSES)
    .withMessage(`must be one of ${REPORT_STATUSES.join(', ')}`),
  ...pageRules(100),
]);
export const reportDecisionRules = inputRules<{ reportId: string; status: 'reviewed' | 'dismissed' }>([
  param('reportId').isMongoId().withMessage('must be a report id'),
  body('status').isIn(['reviewed', 'dismissed']).withMessage('must be reviewed or dismissed'),
]);

// Posts and comments under /admin/content.
const contentAction = body('action').isIn(['restore', 'remove']).withMessage('must be restore or remove');
export const trendingListRules = inputRules<{ status?: (typeof TREND_STATUS)[number] }>([
  query('status')
    .optional()
    .isIn(TREND_STATUS)
    .withMessage(`must be one of ${TREND_STATUS.join(', ')}`),
]);
export const trendingReviewRules = inputRules<{ tag: string; status: 'approved' | 'rejected' }>([
  param('tag').isString().isLength({ min: 1, max: 30 }).withMessage('must be a hashtag'),
  body('status').isIn(['approved', 'rejected']).withMessage('must be approved or rejected'),
]);
type ModerationInput = { id: string; action: 'restore' | 'remove' };
export const moderatePostRules = inputRules<ModerationInput>([
  param('id').isMongoId().withMessage('must be a post id'),
  contentAction,
]);
export const moderateCommentRules = inputRules<ModerationInput>([
  param('id').isMongoId().withMessage('must be a comment id'),
  contentAction,
]);
