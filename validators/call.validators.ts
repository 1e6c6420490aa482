import { query } from 'express-validator';
import { inputRules, isIdText } from './common.validators.js';

/** TURN credentials are for a call one is in: its id, when there is one. */
export const iceRules = inputRules<{ callId?: string }>([
  query('callId').optional().custom(isIdText).withMessage('must be a call id'),
]);
