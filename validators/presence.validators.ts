import { query } from 'express-validator';
import { inputRules } from './common.validators.js';

/** Up to 100 user ids, comma-separated, each once. */
export const presenceRules = inputRules<{ ids: string[] }>([
  query('ids')
    .isString()
    .withMessage('must be comma-separated user ids')
    .bail()
    .customSanitizer((v: string) => [...new Set(v.split(','))])
    .custom((list: string[]) => list.length <= 100 && list.every((id) => /^[a-f0-9]{24}$/.test(id)))
    .withMessage('must be up to 100 comma-separated user ids'),
]);
