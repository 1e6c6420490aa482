import { body, param, query } from 'express-validator';
import { ALWAYS_IN_APP, NOTIFICATION_TYPES } from '../models/notification.model.js';
import type { Preferences } from '../services/notifications/notification.service.js';
import { inputRules, objectWithKeys, optionalQueryInt } from './common.validators.js';

export const listRules = inputRules<{ limit?: number; cursor?: string }>([
  optionalQueryInt('limit', 1, 50),
  query('cursor').optional().isMongoId().withMessage('is not a cursor from a previous page'),
]);

export const idRules = inputRules<{ id: string }>([param('id').isMongoId().withMessage('must be a notification id')]);

/**
 * Any of the switchable types, each with the channels to change: { like: { inApp: 'off' } }.
 * Payment, moderation and system notices always reach their person: naming one is refused.
 */
export const preferenceRules = inputRules<Partial<Preferences>>([
  ...NOTIFICATION_TYPES.filter((type) => !ALWAYS_IN_APP.includes(type)).flatMap((type) => [
    objectWithKeys(type, ['inApp'])
      .custom((value: object) => Object.hasOwn(value, 'inApp'))
      .withMessage('must name the channel to change (inApp)'),
    body(`${type}.inApp`).optional().isIn(['immediate', 'off']).withMessage('must be immediate or off'),
  ]),
]);
