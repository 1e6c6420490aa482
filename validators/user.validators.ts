import { LANGUAGES } from '../config/constants.js';
import { body, param, query } from 'express-validator';
import { AVAILABILITY, GENDERS, PREFERENCES, REQUEST_EMAILS } from '../models/user.model.js';
import { REPORT_REASONS, REPORT_TARGETS } from '../models/report.model.js';
import { SEARCH_MAX_DISTANCE_KM, SEARCH_MAX_INTERESTS, SEARCH_MAX_PAGE } from '../config/constants.js';
import { cleanText, normaliseTag } from '../utils/text.js';
import { MAX_AGE, MIN_AGE } from '../utils/age.js';
import {
  coordinateRules,
  inputRules,
  isIdText,
  objectWithKeys,
  optionalQueryInt,
  personName,
  scalar,
  sealedPageRules,
} from './common.validators.js';
import type { ReportInput } from '../services/people/report.service.js';
import type { ProfileUpdate } from '../services/people/profile.service.js';
import type { SearchInput } from '../services/people/search.service.js';

const optionalBool = (field: string) => scalar(field).optional().isBoolean({ strict: true }).withMessage('must be true or false');
const optionalInt = (field: string, min: number, max: number) =>
  scalar(field).optional().isInt({ min, max }).withMessage(`must be a whole number from ${min} to ${max}`).toInt();

export const interestsRule = (required: boolean) =>
  (required ? body('interests') : body('interests').optional())
    .isArray({ min: 1, max: 20 })
    .withMessage('must be a list of 1 to 20 tags')
    .bail()
    .custom((list: unknown[]) => list.every((t) => typeof t === 'string' && t.length <= 60 && normaliseTag(t).length > 0))
    .withMessage('every interest must be a non-empty tag')
    .bail()
    .customSanitizer((list: string[]) => [...new Set(list.map(normaliseTag))]);

export const updateProfileRules = inputRules<ProfileUpdate>([
  objectWithKeys('lookingFor', ['genders', 'minAge', 'maxAge', 'maxDistanceKm']),
  objectWithKeys('location', ['lat', 'lng']),
  objectWithKeys('settings', ['notifications', 'privacy']),
  objectWithKeys('settings.notifications', ['email', 'push', 'requests']),
  objectWithKeys('settings.privacy', ['showAge', 'showDistance', 'readReceipts', 'discoverable']),
  personName('firstName').optional(),
  personName('lastName').optional(),
  scalar('gender')
    .optional()
    .isIn(GENDERS)
    .withMessage(`must be one of ${GENDERS.join(', ')}`),
  // Free text: kept verbatim apart from NFC and control characters; never rendered as HTML here.
  scalar('bio')
    .optional()
    .isString()
    .withMessage('must be a string')
    .bail()
    .customSanitizer((v: string) => cleanText(v))
    .isLength({ max: 500 })
    .withMessage('must be at most 500 characters'),
  interestsRule(false),
  scalar('language')
    .optional()
    .isIn(LANGUAGES)
    .withMessage(`must be one of ${LANGUAGES.join(', ')}`),
  scalar('country').optional().isISO31661Alpha2().withMessage('must be an ISO 3166 country code such as IN').toUpperCase(),
  scalar('preference')
    .optional()
    .isIn(PREFERENCES)
    .withMessage(`must be one of ${PREFERENCES.join(', ')}`),
  body('lookingFor.genders')
    .optional()
    .isArray({ max: GENDERS.length })
    .withMessage('must be a list of genders')
    .bail()
    .custom((list: unknown[]) => list.every((g) => GENDERS.includes(g as (typeof GENDERS)[number])))
    .withMessage(`each must be one of ${GENDERS.join(', ')}`),
  optionalInt('lookingFor.minAge', MIN_AGE, MAX_AGE),
  optionalInt('lookingFor.maxAge', MIN_AGE, MAX_AGE),
  optionalInt('lookingFor.maxDistanceKm', 1, 20_000),
  optionalBool('locationConsent'),
  ...coordinateRules,
  optionalBool('settings.notifications.email'),
  optionalBool('settings.notifications.push'),
  scalar('settings.notifications.requests')
    .optional()
    .isIn(REQUEST_EMAILS)
    .withMessage(`must be one of ${REQUEST_EMAILS.join(', ')}`),
  optionalBool('settings.privacy.showAge'),
  optionalBool('settings.privacy.showDistance'),
  optionalBool('settings.privacy.readReceipts'),
  optionalBool('settings.privacy.discoverable'),
]);

export const updateStatusRules = inputRules<{ availability?: string; availableForMatching?: boolean }>([
  scalar('availability')
    .optional()
    .isString()
    .withMessage('must be a string')
    .bail()
    .isIn(AVAILABILITY)
    .withMessage(`must be one of ${AVAILABILITY.join(', ')}`),
  optionalBool('availableForMatching'),
]);

export const usernameParam = inputRules<{ username: string }>([
  param('username')
    .isString()
    .matches(/^[A-Za-z0-9_.]{3,30}$/)
    .withMessage('is not a username'),
]);
export const userIdParam = inputRules<{ userId: string }>([param('userId').custom(isIdText).withMessage('must be a user id')]);

export const reportRules = inputRules<ReportInput>([
  scalar('targetType')
    .isIn(REPORT_TARGETS)
    .withMessage(`must be one of ${REPORT_TARGETS.join(', ')}`),
  scalar('targetId').custom(isIdText).withMessage('must be an id'),
  scalar('reason')
    .isIn(REPORT_REASONS)
    .withMessage(`must be one of ${REPORT_REASONS.join(', ')}`),
  scalar('note')
    .optional()
    .isString()
    .withMessage('must be a string')
    .bail()
    .trim()
    .isLength({ max: 1000 })
    .withMessage('must be at most 1000 characters'),
]);

export const searchRules = inputRules<Omit<SearchInput, 'limit'> & { limit?: number }>([
  query('q')
    .optional()
    .isString()
    .withMessage('must be a string')
    .bail()
    .trim()
    .isLength({ min: 2, max: 100 })
    .withMessage('must be 2 to 100 characters'),
  // "go,rust" (a parameter is given once); matched as tags, any of them.
  query('interests')
    .optional()
    .customSanitizer((v: string) => v.split(','))
    .isArray({ min: 1, max: SEARCH_MAX_INTERESTS })
    .withMessage(`must be 1 to ${SEARCH_MAX_INTERESTS} tags`)
    .bail()
    .custom((list: unknown[]) => list.every((t) => typeof t === 'string' && t.length <= 60 && normaliseTag(t).length > 0))
    .withMessage('every interest must be a non-empty tag')
    .bail()
    .customSanitizer((list: string[]) => [...new Set(list.map(normaliseTag))]),
  optionalQueryInt('minAge', MIN_AGE, MAX_AGE),
  optionalQueryInt('maxAge', MIN_AGE, MAX_AGE),
  optionalQueryInt('maxDistanceKm', 1, SEARCH_MAX_DISTANCE_KM),
  query('preference')
    .optional()
    .isIn(PREFERENCES)
    .withMessage(`must be one of ${PREFERENCES.join(', ')}`),
  query('gender')
    .optional()
    .isIn(GENDERS)
    .withMessage(`must be one of ${GENDERS.join(', ')}`),
  ...sealedPageRules(SEARCH_MAX_PAGE),
]);
