import { LANGUAGES } from '../config/constants.js';
import { body, param } from 'express-validator';
import { GENDERS, PREFERENCES } from '../models/user.model.js';
import { normaliseTag } from '../utils/text.js';
import {
  coordinateRules,
  email,
  inputRules,
  isIdText,
  opaqueToken,
  password,
  personName,
  scalar,
  text,
} from './common.validators.js';
import type { SignupInput } from '../services/auth/auth.service.js';

const MIN_AGE = 18;

function isAdult(dob: Date, now = new Date()): boolean {
  const eighteenth = new Date(Date.UTC(dob.getUTCFullYear() + MIN_AGE, dob.getUTCMonth(), dob.getUTCDate()));
  return eighteenth.getTime() <= now.getTime();
}

/** Names that are paths under /users/ (or look official), so no profile can hide behind them. */
const RESERVED_USERNAMES = ['search', 'admin', 'support', 'devtinder', 'api', 'system', 'moderator', 'root'];

/** The profile every account needs, whether it signs up with a password or a provider. */
export const profileRules = [
  scalar('gender')
    .isIn(GENDERS)
    .withMessage(`must be one of ${GENDERS.join(', ')}`),
  scalar('dateOfBirth')
    .isString()
    .withMessage('must be a date (YYYY-MM-DD)')
    .bail()
    .isISO8601({ strict: true, strictSeparator: true })
    .withMessage('must be a date (YYYY-MM-DD)')
    .bail()
    .customSanitizer((v: string) => new Date(v))
    .custom((d: Date) => d.getTime() > Date.UTC(1900, 0, 1))
    .withMessage('is not a plausible date of birth')
    .bail()
    .custom((d: Date) => isAdult(d))
    .withMessage(`you must be ${MIN_AGE} or older`),
  scalar('phone')
    .isString()
    .withMessage('must be a string')
    .bail()
    .matches(/^\+[1-9]\d{6,14}$/)
    .withMessage('must be in E.164 form, such as +14155550123'),
  scalar('username')
    .isString()
    .withMessage('must be a string')
    .bail()
    .trim()
    .toLowerCase()
    .matches(/^[a-z0-9_.]{3,30}$/)
    .withMessage('must be 3 to 30 of a-z, 0-9, "_" and "."')
    .bail()
    .not()
    .isIn(RESERVED_USERNAMES)
    .withMessage('is reserved'),
  scalar('preference')
    .isIn(PREFERENCES)
    .withMessage(`must be one of ${PREFERENCES.join(', ')}`),
  body('interests')
    .isArray({ min: 1, max: 20 })
    .withMessage('must be a list of 1 to 20 tags')
    .bail()
    .custom((list: unknown[]) => list.every((t) => typeof t === 'string' && normaliseTag(t).length > 0))
    .withMessage('every interest must be a non-empty tag')
    .bail()
    .customSanitizer((list: string[]) => [...new Set(list.map(normaliseTag))]),
  scalar('locationConsent').optional().isBoolean({ strict: true }).withMessage('must be true or false'),
  scalar('location')
    .optional()
    .isObject({ strict: true })
    .withMessage('must be { lat, lng }')
    .bail()
    .custom((_v, { req }) => (req.body as { locationConsent?: unknown }).locationConsent === true)
    .withMessage('is only accepted with locationConsent: true'),
  ...coordinateRules,
];

export const signupRules = inputRules<SignupInput>([
  scalar('language')
    .optional()
    .isIn(LANGUAGES)
    .withMessage(`must be one of ${LANGUAGES.join(', ')}`),
  personName('firstName'),
  personName('lastName'),
  email('email'),
  password('password'),
  ...profileRules,
]);

export const loginRules = inputRules<{ identifier: string; password: string; deviceToken?: string }>([
  text('identifier', 254),
  scalar('password').isString().withMessage('must be a string').isLength({ max: 1024 }),
  scalar('deviceToken').optional().isString().withMessage('must be a string').isLength({ max: 512 }),
]);

export const refreshRules = inputRules<{ refreshToken?: string }>([
  scalar('refreshToken').optional().isString().isLength({ min: 20, max: 200 }),
]);
export const logoutRules = refreshRules;
export const verifyEmailRules = inputRules<{ token: string; password?: string }>([
  opaqueToken('token'),
  password('password').optional(),
]);
export const forgotPasswordRules = inputRules<{ email: string }>([email('email')]);
export const resetPasswordRules = inputRules<{ token: string; password: string }>([opaqueToken('token'), password('password')]);
export const changePasswordRules = inputRules<{ currentPassword: string; newPassword: string }>([
  scalar('currentPassword').isString().withMessage('must be a string').isLength({ max: 1024 }),
  password('newPassword'),
]);
export const changeEmailRules = inputRules<{ email: string }>([email('email')]);
export const confirmEmailChangeRules = inputRules<{ token: string }>([opaqueToken('token')]);
export const reauthenticateRules = inputRules<{ password: string }>([password('password')]);
export const sessionIdParam = inputRules<{ id: string }>([param('id').custom(isIdText).withMessage('must be a session id')]);
