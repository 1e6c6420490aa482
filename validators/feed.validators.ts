import { body, param, query } from 'express-validator';
import { normaliseTag } from '../utils/text.js';
import { inputRules, isIdText, pageRules, scalar, sealedPageRules } from './common.validators.js';
import type { FeedPreferences } from '../services/feeds/feed-settings.service.js';

const tagList = (field: string) =>
  body(field)
    .optional()
    .isArray({ max: 100 })
    .withMessage('must be a list of at most 100 tags')
    .bail()
    .custom((list: unknown[]) => list.every((t) => typeof t === 'string' && normaliseTag(t).length > 0))
    .withMessage('every entry must be a non-empty tag')
    .bail()
    .customSanitizer((list: string[]) => list.map(normaliseTag));

export const feedPageRules = inputRules<{ limit?: number; cursor?: string }>(pageRules(50));
export const forYouRules = inputRules<{ limit?: number; cursor?: string }>([
  query('limit').optional().isInt({ min: 1, max: 50 }).withMessage('must be a whole number from 1 to 50').toInt(),
  query('cursor')
    .optional()
    .matches(/^[a-f0-9]{24}\.\d{1,4}$/)
    .withMessage('is not a cursor from a previous page'),
]);
export const trendingRules = inputRules<{ limit?: number }>([
  query('limit').optional().isInt({ min: 1, max: 50 }).withMessage('must be 1 to 50').toInt(),
]);
export const nearbyRules = inputRules<{ lat: number; lng: number; km?: number; limit?: number; cursor?: string }>([
  query('lat').isFloat({ min: -90, max: 90 }).withMessage('must be a latitude').toFloat(),
  query('lng').isFloat({ min: -180, max: 180 }).withMessage('must be a longitude').toFloat(),
  query('km').optional().isIn(['5', '25', '100', '500']).withMessage('must be 5, 25, 100 or 500').toInt(),
  ...sealedPageRules(50),
]);
export const feedSettingsRules = inputRules<Partial<FeedPreferences>>([
  tagList('mutedTags'),
  tagList('preferredTopics'),
  body('mutedAuthors')
    .optional()
    .isArray({ max: 500 })
    .withMessage('must be a list of at most 500 user ids')
    .bail()
    .custom((list: unknown[]) => list.every((id) => typeof id === 'string' && /^[a-f0-9]{24}$/.test(id)))
    .withMessage('every entry must be a user id'),
  scalar('sensitiveFilter').optional().isBoolean({ strict: true }).withMessage('must be true or false'),
]);
export const feedPostParam = inputRules<{ postId: string }>([param('postId').custom(isIdText).withMessage('must be a post id')]);
