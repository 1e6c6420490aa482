import { body, param, query, type ValidationChain } from 'express-validator';
import { ACTIVITY_EVENTS } from '../models/analytics.model.js';
import { REPORT_STATUSES, REPORT_TARGETS } from '../models/report.model.js';
import { REVIEW_ACTIONS } from '../models/review-case.model.js';
import { RUNTIME_SETTINGS, type RuntimeKey } from '../models/runtime-settings.model.js';
import { SEGMENT_KINDS } from '../models/system-notice.model.js';
import { TREND_STATUS } from '../models/trending-tag.model.js';
import { PLANS, ROLES } from '../models/user.model.js';
import type { AuditFilter } from '../services/audit.service.js';
import type { RuntimeChanges } from '../services/runtime-settings.service.js';
import type { ReviewAction } from '../services/people/review-queue.service.js';
import type { Segment } from '../services/notifications/system-notice.service.js';
import type { UserFilter } from '../services/people/admin-users.service.js';
import { cleanText } from '../utils/text.js';
import { inputRules, isIdText, objectWithKeys, optionalQueryInt, pageRules, scalar, zodBody } from './common.validators.js';

const userIdParam = param('userId').custom(isIdText).withMessage('must be a user id');

export const userIdRules = inputRules<{ userId: string }>([userIdParam]);
export const explainRules = inputRules<{ viewerId: string; candidateId: string }>([
  query('viewerId').custom(isIdText).withMessage('must be a user id'),
  query('candidateId').custom(isIdText).withMessage('must be a user id'),
]);
export const roleRules = inputRules<{ userId: string; role: (typeof ROLES)[number] }>([
  userIdParam,
  scalar('role')
    .isIn(ROLES)
    .withMessage(`must be one of ${ROLES.join(', ')}`),
]);
export const badgeRules = inputRules<{ userId: string; verifiedBadge: boolean }>([
  userIdParam,
  scalar('verifiedBadge').isBoolean({ strict: true }).withMessage('must be true or false'),
]);
/** Staff's text (a reason, a notice in one language): cleaned, 1 to 500 characters. */
const shortText = (field: ValidationChain) =>
  field
    .isString()
    .withMessage('must be text')
    .bail()
    .customSanitizer((v: string) => cleanText(v))
    .isLength({ min: 1, max: 500 })
    .withMessage('must be 1 to 500 characters');
const reason = (required: boolean) => shortText(required ? scalar('reason') : scalar('reason').optional());
/** A date and time to come, within `days`. */
const futureDate = (field: ValidationChain, days: number) =>
  field
    .isISO8601({ strict: true })
    .withMessage('must be a date and time')
    .bail()
    .custom((v: string) => Date.parse(v) > Date.now() && Date.parse(v) < Date.now() + days * 86_400_000)
    .withMessage(`must be within the coming ${days} days`)
    .toDate();

export const banRules = inputRules<{ userId: string; banned: boolean; reason?: string }>([
  userIdParam,
  scalar('banned').isBoolean({ strict: true }).withMessage('must be true or false'),
  reason(false),
]);
export const suspensionRules = inputRules<{ userId: string; until: Date; reason: string }>([
  userIdParam,
  futureDate(scalar('until'), 3660),
  reason(true),
]);
export const planGrantRules = inputRules<{ userId: string; plan: (typeof PLANS)[number]; until?: Date }>([
  userIdParam,
  scalar('plan')
    .isIn(PLANS)
    .withMessage(`must be one of ${PLANS.join(', ')}`),
  futureDate(scalar('until').if(body('plan').not().equals('free')), 3660),
]);
const ACCOUNT_STATUSES = ['active', 'suspended', 'banned', 'deleted'] as const;
export const userListRules = inputRules<UserFilter & { limit?: number; cursor?: string }>([
  query('q').optional().isString().withMessage('must be text').bail().isLength({ min: 1, max: 254 }),
  query('plan')
    .optional()
    .isIn(PLANS)
    .withMessage(`must be one of ${PLANS.join(', ')}`),
  query('status')
    .optional()
    .isIn(ACCOUNT_STATUSES)
    .withMessage(`must be one of ${ACCOUNT_STATUSES.join(', ')}`),
  query('country').optional().isISO31661Alpha2().withMessage('must be an ISO 3166 country code').toUpperCase(),
  query('joinedFrom').optional().isISO8601({ strict: true }).withMessage('must be a date').toDate(),
  query('joinedTo').optional().isISO8601({ strict: true }).withMessage('must be a date').toDate(),
  ...pageRules(100),
]);
export const auditSearchRules = inputRules<AuditFilter & { limit?: number; cursor?: string }>([
  query('userId').optional().custom(isIdText).withMessage('must be a user id'),
  query('actorId').optional().custom(isIdText).withMessage('must be a user id'),
  query('action')
    .optional()
    .isString()
    .bail()
    .matches(/^[a-z_]+\.[a-z_]+$/)
    .withMessage('must be an action such as admin.user_suspended'),
  query('targetId')
    .optional()
    .isString()
    .bail()
    // An id, or a hashtag (letters of any script).
    .matches(/^[\p{L}\p{N}_-]{1,64}$/u)
    .withMessage('must be an id'),
  query('from').optional().isISO8601({ strict: true }).withMessage('must be a date').toDate(),
  query('to').optional().isISO8601({ strict: true }).withMessage('must be a date').toDate(),
  ...pageRules(100),
]);
export const reportListRules = inputRules<{ status?: (typeof REPORT_STATUSES)[number]; limit?: number; cursor?: string }>([
  query('status')
    .optional()
    .isIn(REPORT_STATUSES)
    .withMessage(`must be one of ${REPORT_STATUSES.join(', ')}`),
  ...pageRules(100),
]);
export const reportDecisionRules = inputRules<{ reportId: string; status: 'reviewed' | 'dismissed' }>([
  param('reportId').custom(isIdText).withMessage('must be a report id'),
  scalar('status').isIn(['reviewed', 'dismissed']).withMessage('must be reviewed or dismissed'),
]);

/** A notice for a segment at a time to come (within a year). */
export const systemNoticeRules = inputRules<{ text: string; translations?: { es?: string }; segment: Segment; sendAt: Date }>([
  shortText(scalar('text')),
  objectWithKeys('translations', ['es']).optional(),
  shortText(scalar('translations.es').optional()),
  objectWithKeys('segment', ['kind', 'plan', 'country', 'inactiveDays']).exists().withMessage('is required'),
  scalar('segment.kind')
    .isIn(SEGMENT_KINDS)
    .withMessage(`must be one of ${SEGMENT_KINDS.join(', ')}`),
  scalar('segment.plan')
    .if(body('segment.kind').equals('plan'))
    .isIn(PLANS)
    .withMessage(`must be one of ${PLANS.join(', ')}`),
  scalar('segment.country')
    .if(body('segment.kind').equals('country'))
    .isISO31661Alpha2()
    .withMessage('must be an ISO 3166 country code')
    .toUpperCase(),
  scalar('segment.inactiveDays')
    .if(body('segment.kind').equals('inactive'))
    .isInt({ min: 1, max: 3650 })
    .withMessage('must be 1 to 3650 days')
    .toInt(),
  scalar('sendAt')
    .isISO8601({ strict: true })
    .withMessage('must be a date and time')
    .bail()
    .custom((v: string) => Date.parse(v) < Date.now() + 366 * 86_400_000)
    .withMessage('must be within the coming year')
    .toDate(),
]);
export const noticeListRules = inputRules<{ limit?: number; cursor?: string }>([...pageRules(100)]);
export const noticeIdRules = inputRules<{ noticeId: string }>([
  param('noticeId').custom(isIdText).withMessage('must be a notice id'),
]);

// Posts and comments under /admin/content.
const contentAction = scalar('action').isIn(['restore', 'remove']).withMessage('must be restore or remove');
export const trendingListRules = inputRules<{ status?: (typeof TREND_STATUS)[number] }>([
  query('status')
    .optional()
    .isIn(TREND_STATUS)
    .withMessage(`must be one of ${TREND_STATUS.join(', ')}`),
]);
export const trendingReviewRules = inputRules<{ tag: string; status: 'approved' | 'rejected' }>([
  param('tag').isString().isLength({ min: 1, max: 30 }).withMessage('must be a hashtag'),
  scalar('status').isIn(['approved', 'rejected']).withMessage('must be approved or rejected'),
]);
type ModerationInput = { id: string; action: 'restore' | 'remove' };
export const moderatePostRules = inputRules<ModerationInput>([
  param('id').custom(isIdText).withMessage('must be a post id'),
  contentAction,
]);
export const moderateCommentRules = inputRules<ModerationInput>([
  param('id').custom(isIdText).withMessage('must be a comment id'),
  contentAction,
]);

const runtimeKeys = Object.keys(RUNTIME_SETTINGS) as RuntimeKey[];
/** A change of runtime settings: known keys only, each a valid value or null (back to the deployment's). */
export const runtimeSettingsRules = inputRules<{ values: RuntimeChanges; expectedVersion?: number; note?: string }>([
  body('values').exists().withMessage('is required'),
  objectWithKeys('values', runtimeKeys),
  ...zodBody(Object.fromEntries(runtimeKeys.map((key) => [`values.${key}`, RUNTIME_SETTINGS[key].nullable().optional()]))),
  scalar('expectedVersion').optional().isInt({ min: 0, max: 1_000_000_000 }).withMessage('must be a version number').toInt(),
  shortText(scalar('note').optional()),
]);
export const settingsHistoryRules = inputRules<{ limit?: number }>([optionalQueryInt('limit', 1, 100)]);

export const reviewListRules = inputRules<{ targetType?: (typeof REPORT_TARGETS)[number]; limit?: number; cursor?: string }>([
  query('targetType')
    .optional()
    .isIn(REPORT_TARGETS)
    .withMessage(`must be one of ${REPORT_TARGETS.join(', ')}`),
  optionalQueryInt('limit', 1, 100),
  query('cursor')
    .optional()
    .matches(/^\d{1,6}_[a-f0-9]{24}$/)
    .withMessage('is not a cursor from a previous page'),
]);
export const caseDecisionRules = inputRules<{ caseId: string; action: ReviewAction; note: string; until?: Date }>([
  param('caseId').custom(isIdText).withMessage('must be a case id'),
  scalar('action')
    .isString()
    .withMessage('must be an action')
    .bail()
    .isIn(REVIEW_ACTIONS)
    .withMessage(`must be one of ${REVIEW_ACTIONS.join(', ')}`),
  shortText(scalar('note')),
  futureDate(scalar('until').if(body('action').equals('suspend')), 3660),
]);

const ANALYTICS_SERIES = [...ACTIVITY_EVENTS, 'active'] as const;
/** A range of days (or, by hour, of at most 14 days): from and to included, to not before from. */
const analyticsRange = [
  query('from').isISO8601({ strict: true }).withMessage('must be a date').toDate(),
  query('to')
    .isISO8601({ strict: true })
    .withMessage('must be a date')
    .bail()
    .custom((to: string, { req }) => {
      const from = Date.parse(String((req.query as Record<string, unknown>).from));
      const span = Date.parse(to) - from;
      const hourly = (req.query as Record<string, unknown>).granularity === 'hour';
      return span >= 0 && span <= (hourly ? 14 : 366) * 86_400_000;
    })
    .withMessage('must be on or after from, within 366 days (14 by hour)')
    .toDate(),
  query('granularity').optional().isIn(['day', 'hour']).withMessage('must be day or hour'),
];
export const analyticsRules = inputRules<{ from: Date; to: Date; granularity?: 'day' | 'hour'; conversionDays?: number }>([
  ...analyticsRange,
  optionalQueryInt('conversionDays', 0, 90),
]);
export const analyticsSeriesRules = inputRules<{
  from: Date;
  to: Date;
  granularity?: 'day' | 'hour';
  name: (typeof ANALYTICS_SERIES)[number];
}>([
  ...analyticsRange,
  query('name')
    .isIn(ANALYTICS_SERIES)
    .withMessage(`must be one of ${ANALYTICS_SERIES.join(', ')}`),
]);
