import { body, param, query } from 'express-validator';
import { NOTIFICATION_TYPES } from '../models/notification.model.js';
import type { Preferences } from '../services/notifications/notification.service.js';
import { inputRules, objectWithKeys, optionalQueryInt } from './common.validators.js';

export const listRules = inputRules<{ limit?: number; cursor?: string }>([
  optionalQueryInt('limit', 1, 50),
  query('cursor').optional().isMongoId().withMessage('is not a cursor from a previous page'),
]);

export const idRules = inputRules<{ id: string }>([param('id').isMongoId().withMessage('must be a notification id')]);

/** Any of the types, each with the channels to change: { like: { inApp: 'off' } }. */
export const preferenceRules = inputRules<Partial<Preferences>>([
  ...NOTIFICATION_TYPES.flatMap((type) => [
    objectWithKeys(type, ['inApp']),
    body(`${type}.inApp`).optional().isIn(['immediate', 'off']).withMessage('must be immediate or off'),
  ]),
]);
