import { ALWAYS_IN_APP, NOTIFICATION_TYPES } from '../models/notification.model.js';
import { closedObject, dateTime, errors, json, objectId, pageParams, pathId } from './openapi.schemas.js';

const frequency = { enum: ['immediate', 'off'] };
const emailFrequency = { enum: ['immediate', 'daily', 'weekly', 'off'] };
const channels = closedObject({ inApp: frequency, push: frequency, email: emailFrequency });
const preferences = closedObject(Object.fromEntries(NOTIFICATION_TYPES.map((t) => [t, channels])));
const quietHours = {
  oneOf: [
    { type: 'null' },
    closedObject({
      start: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
      end: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' },
      timeZone: { type: 'string', description: 'An IANA time zone, such as Asia/Kolkata' },
    }),
  ],
};
const switchable = NOTIFICATION_TYPES.filter((t) => !ALWAYS_IN_APP.includes(t));
const preferenceChanges = closedObject(
  {
    ...Object.fromEntries(
      switchable.map((t) => [t, closedObject({ inApp: frequency, push: frequency, email: emailFrequency }, [])]),
    ),
    quietHours,
  },
  [],
);
const device = closedObject({
  id: objectId,
  kind: { enum: ['web', 'fcm'] },
  platform: { enum: ['web', 'android', 'ios', 'desktop'] },
  createdAt: dateTime,
  lastPushedAt: { oneOf: [dateTime, { type: 'null' }] },
});
const unread = { type: 'integer', minimum: 0 };

const notification = closedObject({
  id: objectId,
  type: { enum: [...NOTIFICATION_TYPES] },
  text: { type: 'string' },
  actor: {
    oneOf: [{ type: 'null' }, closedObject({ id: objectId, username: { type: 'string' }, firstName: { type: 'string' } })],
  },
  actorCount: { type: 'integer', minimum: 0 },
  target: {
    oneOf: [{ type: 'null' }, closedObject({ kind: { type: 'string' }, id: objectId, postId: objectId }, ['kind', 'id'])],
  },
  read: { type: 'boolean' },
  createdAt: dateTime,
  updatedAt: dateTime,
});

const ok = (description: string, properties: Record<string, object>) => ({
  '200': { description, content: json(closedObject(properties)) },
});

export const notificationPaths = {
  '/api/v1/notifications': {
    get: {
      tags: ['notifications'],
      summary: 'Your notices, newest activity first; similar ones grouped ("Ana and 4 others liked your post")',
      parameters: pageParams(50),
      responses: {
        ...ok('A page', { items: { type: 'array', items: notification }, nextCursor: { type: ['string', 'null'] }, unread }),
        ...errors('400', '401'),
      },
    },
  },
  '/api/v1/notifications/unread-count': {
    get: { tags: ['notifications'], summary: 'How many are unread', responses: { ...ok('Count', { unread }), ...errors('401') } },
  },
  '/api/v1/notifications/read-all': {
    post: { tags: ['notifications'], summary: 'Mark all read', responses: { ...ok('Done', { unread }), ...errors('401') } },
  },
  '/api/v1/notifications/preferences': {
    get: {
      tags: ['notifications'],
      summary: 'What you hear about, per type and channel',
      responses: { ...ok('Preferences', { preferences, quietHours }), ...errors('401') },
    },
    patch: {
      tags: ['notifications'],
      summary:
        'Change some types ({ "like": { "push": "off" } }) or the quiet hours of device push; payment, moderation and system notices cannot be switched off. Push and email tell of in-app notices: a type off in the app is off on every channel, and asking for it by push or email keeps it in the app',
      requestBody: { required: true, content: json(preferenceChanges) },
      responses: { ...ok('Preferences', { preferences, quietHours }), ...errors('400', '401') },
    },
  },
  '/api/v1/notifications/push-setup': {
    get: {
      tags: ['notifications'],
      summary: 'What a client needs to subscribe: the VAPID public key (null: no web push), whether mobile push is on',
      responses: {
        ...ok('Setup', { webPushPublicKey: { type: ['string', 'null'] }, mobilePush: { type: 'boolean' } }),
        ...errors('401'),
      },
    },
  },
  '/api/v1/notifications/devices': {
    get: {
      tags: ['notifications'],
      summary: 'Your devices that take push',
      responses: { ...ok('Devices', { devices: { type: 'array', items: device } }), ...errors('401') },
    },
    post: {
      tags: ['notifications'],
      summary:
        "Register a device: a browser's push subscription ({ kind: web, endpoint, keys }) or an app's Firebase token ({ kind: fcm, token, platform })",
      requestBody: {
        required: true,
        content: json({
          oneOf: [
            closedObject({
              kind: { const: 'web' },
              endpoint: { type: 'string', format: 'uri' },
              keys: closedObject({ p256dh: { type: 'string' }, auth: { type: 'string' } }),
            }),
            closedObject(
              { kind: { const: 'fcm' }, token: { type: 'string' }, platform: { enum: ['android', 'ios', 'desktop', 'web'] } },
              ['kind', 'token'],
            ),
          ],
        }),
      },
      responses: {
        '201': { description: 'Registered', content: json(closedObject({ device })) },
        ...errors('400', '401', '409'),
      },
    },
  },
  '/api/v1/notifications/devices/{id}': {
    delete: {
      tags: ['notifications'],
      summary: 'Stop pushing to a device',
      parameters: [pathId('id')],
      responses: { '204': { description: 'Removed' }, ...errors('400', '401', '404') },
    },
  },
  '/api/v1/notifications/{id}/read': {
    post: {
      tags: ['notifications'],
      summary: 'Mark one read (a later like of the same post starts a new notice)',
      parameters: [pathId('id')],
      responses: { ...ok('The notice', { notification }), ...errors('400', '401', '404') },
    },
  },
  '/api/v1/notifications/{id}': {
    delete: {
      tags: ['notifications'],
      summary: 'Delete one',
      parameters: [pathId('id')],
      responses: { '204': { description: 'Deleted' }, ...errors('400', '401', '404') },
    },
  },
};
