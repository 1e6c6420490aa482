import { errors, json, jsonBody, pathId, queryParam, ref } from './openapi.schemas.js';

const userIdParam = pathId('userId');
const userUpdated = {
  '200': { description: 'Updated', content: json(ref('UserEnvelope')) },
  ...errors('400', '401', '403', '404'),
};

export const adminPaths = {
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
