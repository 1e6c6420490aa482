import {
  closedObject,
  dateTime,
  errors,
  json,
  jsonBody,
  objectId,
  pageParams,
  pathId,
  queryParam,
  ref,
} from './openapi.schemas.js';

/** A notice in other languages than English, for the people who read in them. */
const translations = closedObject({ es: { type: 'string', maxLength: 500 } }, []);

const userIdParam = pathId('userId');
const userUpdated = {
  '200': { description: 'Updated', content: json(ref('UserEnvelope')) },
  ...errors('400', '401', '403', '404'),
};

const segment = {
  oneOf: [
    closedObject({ kind: { const: 'everyone' } }),
    closedObject({ kind: { const: 'plan' }, plan: { enum: ['free', 'gold', 'premium'] } }),
    closedObject({ kind: { const: 'country' }, country: { type: 'string', pattern: '^[A-Z]{2}$' } }),
    closedObject({ kind: { const: 'inactive' }, inactiveDays: { type: 'integer', minimum: 1, maximum: 3650 } }),
  ],
};
const notice = closedObject({
  id: objectId,
  text: { type: 'string' },
  translations,
  segment,
  sendAt: dateTime,
  status: { enum: ['scheduled', 'sending', 'sent', 'cancelled'] },
  delivered: { type: 'integer', minimum: 0, description: 'How many people it reached' },
  sentAt: { oneOf: [dateTime, { type: 'null' }] },
  createdAt: dateTime,
});

export const adminPaths = {
  '/api/v1/admin/notices': {
    post: {
      tags: ['admin'],
      summary: 'Schedule a system notice for a segment (admins); sent once at sendAt, even with several processes',
      requestBody: jsonBody({ text: { type: 'string', maxLength: 500 }, translations, segment, sendAt: dateTime }, [
        'text',
        'segment',
        'sendAt',
      ]),
      responses: { '201': { description: 'Scheduled', content: json(closedObject({ notice })) }, ...errors('400', '401', '403') },
    },
    get: {
      tags: ['admin'],
      summary: 'Scheduled and sent notices with their delivery counts, newest first (admins)',
      parameters: pageParams(100),
      responses: {
        '200': {
          description: 'A page',
          content: json(closedObject({ notices: { type: 'array', items: notice }, nextCursor: { type: ['string', 'null'] } })),
        },
        ...errors('400', '401', '403'),
      },
    },
  },
  '/api/v1/admin/notices/{noticeId}': {
    delete: {
      tags: ['admin'],
      summary: 'Cancel a notice not yet begun (admins)',
      parameters: [pathId('noticeId')],
      responses: { '204': { description: 'Cancelled' }, ...errors('400', '401', '403', '404', '409') },
    },
  },
  '/api/v1/admin/users/{userId}': {
    get: {
      tags: ['admin'],
      summary: 'Read any account (admins and moderators)',
      parameters: [userIdParam],
      responses: {
        '200': { description: 'The account', content: json(ref('UserEnvelope')) },
        ...errors('400', '401', '403', '404'),
      },
    },
  },
  '/api/v1/admin/users/{userId}/role': {
    patch: {
      tags: ['admin'],
      summary: 'Set the role of an account (admins)',
      parameters: [userIdParam],
      requestBody: jsonBody({ role: { enum: ['user', 'moderator', 'admin'] } }),
      responses: userUpdated,
    },
  },
  '/api/v1/admin/users/{userId}/badge': {
    patch: {
      tags: ['admin'],
      summary: 'Give or take the verification badge (admins)',
      parameters: [userIdParam],
      requestBody: jsonBody({ verifiedBadge: { type: 'boolean' } }),
      responses: userUpdated,
    },
  },
  '/api/v1/admin/users/{userId}/ban': {
    patch: {
      tags: ['admin'],
      summary: 'Suspend (ends every session) or restore an account (moderators: users only)',
      parameters: [userIdParam],
      requestBody: jsonBody({ banned: { type: 'boolean' } }),
      responses: userUpdated,
    },
  },
  '/api/v1/admin/reports': {
    get: {
      tags: ['admin'],
      summary: 'Reports in one status (default open), newest first (moderators and admins)',
      parameters: [
        queryParam('status', { enum: ['open', 'reviewed', 'dismissed'] }),
        queryParam('limit', { type: 'integer', minimum: 1, maximum: 100, default: 50 }),
        queryParam('cursor', { type: 'string' }),
      ],
      responses: {
        '200': { description: 'A page of reports', content: json(ref('ReportPage')) },
        ...errors('400', '401', '403'),
      },
    },
  },
  '/api/v1/admin/reports/{reportId}': {
    patch: {
      tags: ['admin'],
      summary: 'Close an open report as reviewed or dismissed',
      parameters: [pathId('reportId')],
      requestBody: jsonBody({ status: { enum: ['reviewed', 'dismissed'] } }),
      responses: { '204': { description: 'Closed' }, ...errors('400', '401', '403', '404', '409') },
    },
  },
};
