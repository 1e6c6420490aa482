import { NOTIFICATION_TYPES } from '../models/notification.model.js';
import { closedObject, dateTime, errors, json, objectId, pageParams, pathId } from './openapi.schemas.js';

const channels = closedObject({ inApp: { enum: ['immediate', 'off'] } }, []);
const preferences = closedObject(Object.fromEntries(NOTIFICATION_TYPES.map((t) => [t, channels])));
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
      responses: { ...ok('Preferences', { preferences }), ...errors('401') },
    },
    patch: {
      tags: ['notifications'],
      summary: 'Change some types: { "like": { "inApp": "off" } }',
      requestBody: { required: true, content: json(closedObject(preferences.properties, [])) },
      responses: { ...ok('Preferences', { preferences }), ...errors('400', '401') },
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
