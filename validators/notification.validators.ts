import { body, param, query } from 'express-validator';
import { ALWAYS_IN_APP, NOTIFICATION_TYPES } from '../models/notification.model.js';
import { CHANNELS, FREQUENCIES } from '../models/notification-preference.model.js';
import type { PreferenceChanges } from '../services/notifications/preferences.service.js';
import type { DeviceInput } from '../services/notifications/push/devices.service.js';
import { inputRules, isIdText, objectWithKeys, optionalQueryInt, scalar } from './common.validators.js';

export const listRules = inputRules<{ limit?: number; cursor?: string }>([
  optionalQueryInt('limit', 1, 50),
  query('cursor').optional().custom(isIdText).withMessage('is not a cursor from a previous page'),
]);

export const idRules = inputRules<{ id: string }>([param('id').custom(isIdText).withMessage('must be a notification id')]);

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const isTimeZone = (zone: unknown) => {
  try {
    return typeof zone === 'string' && Boolean(new Intl.DateTimeFormat('en', { timeZone: zone }));
  } catch {
    return false;
  }
};

/**
 * Any of the switchable types, each with the channels to change ({ like: { push: 'off' } }),
 * and the quiet hours of device push ({ start, end, timeZone }, or null for none). Payment,
 * moderation and system notices always reach their person: naming one is refused.
 */
export const preferenceRules = inputRules<PreferenceChanges>([
  ...NOTIFICATION_TYPES.filter((type) => !ALWAYS_IN_APP.includes(type)).flatMap((type) => [
    objectWithKeys(type, CHANNELS)
      .custom((value: object) => CHANNELS.some((c) => Object.hasOwn(value, c)))
      .withMessage(`must name a channel to change (${CHANNELS.join(', ')})`),
    ...CHANNELS.map((c) =>
      scalar(`${type}.${c}`)
        .optional()
        .isString()
        .bail()
        .isIn(FREQUENCIES[c])
        .withMessage(`must be ${FREQUENCIES[c].join(', ')}`),
    ),
  ]),
  scalar('quietHours')
    .optional({ values: 'undefined' })
    .custom((q: unknown) => {
      if (q === null) return true;
      if (typeof q !== 'object' || Array.isArray(q)) return false;
      const { start, end, timeZone, ...rest } = q as Record<string, unknown>;
      return (
        Object.keys(rest).length === 0 &&
        typeof start === 'string' &&
        typeof end === 'string' &&
        HH_MM.test(start) &&
        HH_MM.test(end) &&
        start !== end &&
        isTimeZone(timeZone)
      );
    })
    .withMessage('must be null or { start: "HH:MM", end: "HH:MM", timeZone } with a real IANA time zone'),
]);

const base64url = (min: number, max: number) => new RegExp(`^[A-Za-z0-9_-]{${min},${max}}$`);

/**
 * A device for push. Web: the browser's PushSubscription as it serialises it (the endpoint,
 * the P-256 key of 65 bytes and the 16-byte auth secret, base64url). FCM: the app's token.
 */
export const deviceRules = inputRules<DeviceInput>([
  scalar('kind').isIn(['web', 'fcm']).withMessage('must be web or fcm'),
  scalar('endpoint')
    .if(body('kind').equals('web'))
    .isString()
    .isLength({ min: 10, max: 2048 })
    .withMessage('must be the subscription endpoint URL'),
  objectWithKeys('keys', ['p256dh', 'auth']).if(body('kind').equals('web')).exists().withMessage('must hold p256dh and auth'),
  scalar('keys.p256dh')
    .if(body('kind').equals('web'))
    .isString()
    .matches(base64url(86, 88))
    .withMessage('must be the base64url P-256 public key'),
  scalar('keys.auth')
    .if(body('kind').equals('web'))
    .isString()
    .matches(base64url(22, 24))
    .withMessage('must be the base64url auth secret'),
  scalar('token')
    .if(body('kind').equals('fcm'))
    .isString()
    .matches(/^[A-Za-z0-9_:.-]{20,4096}$/)
    .withMessage('must be a Firebase registration token'),
  scalar('platform').optional().isIn(['android', 'ios', 'desktop', 'web']).withMessage('must be android, ios, desktop or web'),
]);
