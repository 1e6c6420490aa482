import { body, type ValidationChain } from 'express-validator';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES, passwordLengthOk } from '../services/password.service.js';
import { cleanText, MARKUP } from '../utils/text.js';

/** A required string field: refuses objects and arrays (operator injection), then cleans it. */
export const text = (field: string, max: number): ValidationChain =>
  body(field)
    .exists({ values: 'null' })
    .withMessage('is required')
    .bail()
    .isString()
    .withMessage('must be a string')
    .bail()
    .customSanitizer((v: string) => cleanText(v))
    .isLength({ min: 1, max })
    .withMessage(`must be 1 to ${max} characters`);

export const personName = (field: string): ValidationChain =>
  text(field, 50).not().matches(MARKUP).withMessage('may not contain markup characters');

/** Passwords are kept verbatim (no trimming): only their byte length is checked. */
export const password = (field: string): ValidationChain =>
  body(field)
    .exists({ values: 'null' })
    .withMessage('is required')
    .bail()
    .isString()
    .withMessage('must be a string')
    .bail()
    .custom((v: string) => passwordLengthOk(v))
    .withMessage(`must be ${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} bytes`);

export const email = (field: string): ValidationChain =>
  body(field)
    .exists({ values: 'null' })
    .withMessage('is required')
    .bail()
    .isString()
    .withMessage('must be a string')
    .bail()
    .trim()
    .isLength({ max: 254 })
    .withMessage('is too long')
    .bail()
    .isEmail()
    .withMessage('must be an email address')
    .bail()
    .customSanitizer((v: string) => v.toLowerCase());

/** Opaque tokens from links: base64url, bounded. */
export const opaqueToken = (field: string): ValidationChain =>
  body(field)
    .exists({ values: 'null' })
    .withMessage('is required')
    .bail()
    .isString()
    .withMessage('must be a string')
    .bail()
    .matches(/^[A-Za-z0-9_-]{20,200}$/)
    .withMessage('is not a valid token');
