import { param, query } from 'express-validator';
import { inputRules, isIdText } from './common.validators.js';

/** A signed media link: the key's path segments, its expiry and its signature. */
export const mediaLinkRules = inputRules<{ key: string[]; e: number; s: string; v?: string }>([
  param('key').isArray({ min: 1, max: 12 }).withMessage('is not a media key'),
  query('e').isInt({ min: 0, max: 99_999_999_999 }).withMessage('is not an expiry').toInt(),
  query('v').optional().custom(isIdText).withMessage('is not a viewer id'),
  query('s')
    .isString()
    .matches(/^[A-Za-z0-9_-]{32}$/)
    .withMessage('is not a signature'),
]);
