import { ACTIVITY_EVENTS } from '../models/analytics.model.js';
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
  auditRecord,
  ref,
  schemas,
} from './openapi.schemas.js';

/** A notice in other languages than English, for the people who read in them. */
const translations = closedObject({ es: { type: 'string', maxLength: 500 } }, []);

const userIdParam = pathId('userId');
const runtimeValues = {
  chatRequiresPlan: { type: ['boolean', 'null'] },
  postsPerDay: { type: ['integer', 'null'], minimum: 1, maximum: 1000 },
  freeDailyRequests: { type: ['integer', 'null'], minimum: 0 },
  goldDailyRequests: { type: ['integer', 'null'], minimum: 0 },
  moderationTerms: { type: ['array', 'null'], items: { type: 'string' }, maxItems: 500 },
  matchingMode: { type: ['string', 'null'], enum: ['explicit', 'adaptive', 'ab', null] },
  matchingBlend: { type: ['number', 'null'], minimum: 0, maximum: 1 },
};
const settingsEnvelope = json(
  closedObject({
    settings: closedObject({
      version: { type: 'integer', minimum: 0 },
      values: closedObject(runtimeValues),
      overrides: closedObject(runtimeValues, []),
      deployed: closedObject(runtimeValues),
      changedBy: { type: ['string', 'null'] },
      changedAt: { type: ['string', 'null'], format: 'date-time' },
    }),
  }),
);
const reviewCase = {
  id: objectId,
  targetType: { enum: ['user', 'message', 'post', 'comment'] },
  targetId: objectId,
  status: { enum: ['open', 'decided'] },
  reporters: { type: 'integer' },
  trustedReporters: { type: 'integer' },
  severity: { type: 'integer' },
  score: { type: 'integer' },
  lastReportAt: { type: ['string', 'null'], format: 'date-time' },
  decision: {
    oneOf: [
      closedObject({
        action: { type: 'string' },
        moderatorId: objectId,
        note: { type: ['string', 'null'] },
        at: dateTime,
      }),
      { type: 'null' },
    ],
  },
};
const analyticsRange = [
  { name: 'from', in: 'query', required: true, schema: { type: 'string', format: 'date' } },
  {
    name: 'to',
    in: 'query',
    required: true,
    schema: { type: 'string', format: 'date' },
    description: 'Within 366 days of from (14 by hour)',
  },
  queryParam('granularity', { enum: ['day', 'hour'] }),
];
const accountStatus = { enum: ['active', 'suspended', 'banned', 'deleted'] };
// What moderators read of the account: no contact details or exact location (admins' reading).
const HIDDEN_FROM_MODERATORS = ['email', 'phone', 'location'];
const userForModerators = {
  ...schemas.User,
  required: schemas.User.required.filter((k) => !HIDDEN_FROM_MODERATORS.includes(k)),
  properties: Object.fromEntries(Object.entries(schemas.User.properties).filter(([k]) => !HIDDEN_FROM_MODERATORS.includes(k))),
};
const userRecord = json(
  closedObject({
    user: { oneOf: [ref('User'), userForModerators] },
    standing: closedObject({
      bannedAt: { type: ['string', 'null'], format: 'date-time' },
      suspendedUntil: { type: ['string', 'null'], format: 'date-time' },
      suspensionReason: { type: ['string', 'null'] },
      deletedAt: { type: ['string', 'null'], format: 'date-time' },
      lastActiveAt: { type: ['string', 'null'], format: 'date-time' },
    }),
    reports: { type: 'array', items: { type: 'object' } },
    sessions: { type: 'array', items: { type: 'object' } },
    recentActivity: { type: 'array', items: auditRecord },
  }),
);
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
  '/api/v1/admin/users': {
    get: {
      tags: ['admin'],
      summary:
        'Find users: q is an email (exact, audited), an id or the start of a username; by plan, status, country, sign-up dates (staff; addresses shown to admins only)',
      parameters: [
        queryParam('q', { type: 'string', maxLength: 254 }),
        queryParam('plan', { enum: ['free', 'gold', 'premium'] }),
        queryParam('status', accountStatus),
        queryParam('country', { type: 'string', pattern: '^[A-Za-z]{2}$' }),
        queryParam('joinedFrom', dateTime),
        queryParam('joinedTo', dateTime),
        ...pageParams(100),
      ],
      responses: {
        '200': {
          description: 'A page of users, newest first',
          content: json(
            closedObject({
              users: {
                type: 'array',
                items: closedObject(
                  {
                    id: objectId,
                    username: { type: 'string' },
                    email: { type: 'string', description: 'Admins only' },
                    firstName: { type: 'string' },
                    lastName: { type: 'string' },
                    role: { enum: ['user', 'moderator', 'admin'] },
                    plan: { enum: ['free', 'gold', 'premium'] },
                    country: { type: ['string', 'null'] },
                    status: accountStatus,
                    createdAt: dateTime,
                  },
                  ['id', 'username', 'firstName', 'lastName', 'role', 'plan', 'country', 'status', 'createdAt'],
                ),
              },
              nextCursor: { type: ['string', 'null'] },
            }),
          ),
        },
        ...errors('400', '401', '403'),
      },
    },
  },
  '/api/v1/admin/users/{userId}': {
    get: {
      tags: ['admin'],
      summary: 'One account for staff: the profile, standing, reports about it, sessions and recent audit trail',
      parameters: [userIdParam],
      responses: { '200': { description: 'The record', content: userRecord }, ...errors('400', '401', '403', '404') },
    },
  },
  '/api/v1/admin/users/{userId}/suspension': {
    put: {
      tags: ['admin'],
      summary:
        'Suspend until a time, with a reason: sign-in refused until then, every session ended (staff; moderators: users only, at most 30 days, never changing a ban or an admin’s suspension)',
      parameters: [userIdParam],
      requestBody: jsonBody({ until: dateTime, reason: { type: 'string', maxLength: 500 } }),
      responses: { '200': { description: 'The record', content: userRecord }, ...errors('400', '401', '403', '404') },
    },
    delete: {
      tags: ['admin'],
      summary: 'Lift a suspension (staff; moderators: users only, never an admin’s); a ban is lifted at /ban (admins)',
      parameters: [userIdParam],
      responses: { '200': { description: 'The record', content: userRecord }, ...errors('400', '401', '403', '404') },
    },
  },
  '/api/v1/admin/users/{userId}/sessions/end': {
    post: {
      tags: ['admin'],
      summary: 'End every session of an account (staff; moderators: users only)',
      parameters: [userIdParam],
      responses: {
        '200': { description: 'How many ended', content: json(closedObject({ ended: { type: 'integer', minimum: 0 } })) },
        ...errors('400', '401', '403', '404'),
      },
    },
  },
  '/api/v1/admin/users/{userId}/plan': {
    put: {
      tags: ['admin'],
      summary: 'Grant a plan until a date (admins; recorded as an admin grant); free clears it',
      parameters: [userIdParam],
      requestBody: jsonBody({ plan: { enum: ['free', 'gold', 'premium'] }, until: dateTime }, ['plan']),
      responses: userUpdated,
    },
  },
  '/api/v1/admin/settings': {
    get: {
      tags: ['admin'],
      summary: 'The settings admins change without a deploy: in force, set by admins, and the deployment’s own (admins)',
      responses: { '200': { description: 'The settings', content: settingsEnvelope }, ...errors('401', '403') },
    },
    patch: {
      tags: ['admin'],
      summary:
        'Change settings (null: back to the deployment’s own); a new version, audited, seen by every process within RUNTIME_SETTINGS_POLL_MS (admins)',
      requestBody: jsonBody(
        { values: closedObject(runtimeValues, []), expectedVersion: { type: 'integer', minimum: 0 }, note: { type: 'string' } },
        ['values'],
      ),
      responses: { '200': { description: 'The new settings', content: settingsEnvelope }, ...errors('400', '401', '403', '409') },
    },
  },
  '/api/v1/admin/settings/history': {
    get: {
      tags: ['admin'],
      summary: 'The versions of the settings, newest first: what was set, by whom, when (admins)',
      parameters: [queryParam('limit', { type: 'integer', minimum: 1, maximum: 100 })],
      responses: {
        '200': {
          description: 'Versions',
          content: json(
            closedObject({
              versions: {
                type: 'array',
                items: closedObject({
                  version: { type: 'integer' },
                  overrides: closedObject(runtimeValues, []),
                  changedBy: objectId,
                  changedAt: dateTime,
                  note: { type: ['string', 'null'] },
                }),
              },
            }),
          ),
        },
        ...errors('400', '401', '403'),
      },
    },
  },
  '/api/v1/admin/review': {
    get: {
      tags: ['admin'],
      summary:
        'The review queue: open cases, one per reported user, message, post or comment, highest score first (gravest reason ×10, reporters ×3, trusted reporters ×5) (staff)',
      parameters: [
        queryParam('targetType', { enum: ['user', 'message', 'post', 'comment'] }),
        queryParam('limit', { type: 'integer', minimum: 1, maximum: 100 }),
        queryParam('cursor', { type: 'string' }, 'nextCursor of the previous page'),
      ],
      responses: {
        '200': {
          description: 'A page of cases',
          content: json(
            closedObject({
              cases: {
                type: 'array',
                items: closedObject({
                  ...reviewCase,
                  reports: {
                    type: 'array',
                    items: closedObject({
                      reason: { type: 'string' },
                      note: { type: ['string', 'null'] },
                      trusted: { type: 'boolean' },
                      at: dateTime,
                    }),
                  },
                }),
              },
              nextCursor: { type: ['string', 'null'] },
            }),
          ),
        },
        ...errors('400', '401', '403'),
      },
    },
  },
  '/api/v1/admin/review/{caseId}/decision': {
    post: {
      tags: ['admin'],
      summary:
        'Decide a case: dismiss, hide, remove, warn, suspend (until) or ban (admins); reports close, reporters and the reported person are told (staff)',
      parameters: [pathId('caseId')],
      requestBody: jsonBody(
        {
          action: { enum: ['dismiss', 'hide', 'remove', 'warn', 'suspend', 'ban'] },
          note: { type: 'string', maxLength: 500 },
          until: dateTime,
        },
        ['action', 'note'],
      ),
      responses: {
        '200': { description: 'The decided case', content: json(closedObject({ case: closedObject(reviewCase) })) },
        ...errors('400', '401', '403', '404', '409'),
      },
    },
  },
  '/api/v1/admin/analytics': {
    get: {
      tags: ['admin'],
      summary:
        'The platform’s figures for a range, from counters kept as things happen: activity per day or hour, DAU/WAU/MAU (calendar weeks and months) and stickiness, sign-up cohorts’ day 1, 7 and 30 retention, the funnel to first connection, message and payment, conversion to paid within N days, session length (average, median), content, viral post statistics, revenue by plan with refunds (admins)',
      parameters: [...analyticsRange, queryParam('conversionDays', { type: 'integer', minimum: 0, maximum: 90 })],
      responses: {
        '200': {
          description: 'The figures',
          content: json(
            closedObject({
              analytics: {
                type: 'object',
                required: [
                  'series',
                  'totals',
                  'activeUsers',
                  'cohorts',
                  'funnel',
                  'conversion',
                  'sessions',
                  'content',
                  'viral',
                  'matching',
                  'revenue',
                ],
                properties: {
                  matching: {
                    type: 'object',
                    description:
                      'The matcher’s variants (explicit and adaptive ranking): cards shown, mutual matches, conversations started and first replies of their people',
                    required: ['explicit', 'adaptive'],
                  },
                  viral: {
                    type: 'object',
                    description:
                      'Posts the feed signals marked viral in the range (and their share of new posts), shares to feeds and to chats, and the top ten by score',
                    required: ['posts', 'rate', 'shares', 'sharesToFeed', 'sharesToChats', 'sharesPerPost', 'top'],
                  },
                },
              },
            }),
          ),
        },
        ...errors('400', '401', '403'),
      },
    },
  },
  '/api/v1/admin/analytics/series.csv': {
    get: {
      tags: ['admin'],
      summary: 'One series as CSV (at, value) for a spreadsheet (admins)',
      parameters: [
        ...analyticsRange,
        {
          name: 'name',
          in: 'query',
          required: true,
          schema: { enum: [...ACTIVITY_EVENTS, 'active'] },
        },
      ],
      responses: {
        '200': { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
        ...errors('400', '401', '403'),
      },
    },
  },
  '/api/v1/admin/matching/explain': {
    get: {
      tags: ['admin'],
      summary:
        'Why a card ranks where it does in a viewer’s discovery: the explicit fit, the learned interest each way and its mutual blend, the newcomer share and exposure hold-back, under the viewer’s variant (admins)',
      parameters: [
        { ...queryParam('viewerId', objectId), required: true },
        { ...queryParam('candidateId', objectId), required: true },
      ],
      responses: {
        '200': {
          description: 'The score and its parts',
          content: json(
            closedObject({
              explanation: closedObject({
                variant: { enum: ['explicit', 'adaptive'] },
                blend: { type: 'number' },
                score: { type: 'number' },
                parts: closedObject({
                  explicit: { type: 'number' },
                  viewerInterest: { type: 'number' },
                  candidateInterest: { type: 'number' },
                  mutual: { type: 'number' },
                  newcomer: { type: 'number' },
                  exposure: { type: 'number' },
                }),
                learned: closedObject({ viewerSignals: { type: 'integer' }, candidateSignals: { type: 'integer' } }),
              }),
            }),
          ),
        },
        ...errors('400', '401', '403', '404'),
      },
    },
  },
  '/api/v1/admin/audit': {
    get: {
      tags: ['admin'],
      summary: 'The audit trail (admins): by person, actor, action or target, in a time range, newest first',
      parameters: [
        queryParam('userId', objectId),
        queryParam('actorId', objectId),
        queryParam('action', { type: 'string', pattern: '^[a-z_]+\\.[a-z_]+$' }),
        queryParam('targetId', { type: 'string' }),
        queryParam('from', dateTime),
        queryParam('to', dateTime),
        ...pageParams(100),
      ],
      responses: {
        '200': {
          description: 'A page of records',
          content: json(
            closedObject({ records: { type: 'array', items: auditRecord }, nextCursor: { type: ['string', 'null'] } }),
          ),
        },
        ...errors('400', '401', '403'),
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
      summary: 'Ban (no end; every session ended) or restore an account (admins)',
      parameters: [userIdParam],
      requestBody: jsonBody({ banned: { type: 'boolean' }, reason: { type: 'string', maxLength: 500 } }, ['banned']),
      responses: userUpdated,
    },
  },
  '/api/v1/admin/reports': {
    get: {
      tags: ['admin'],
      summary: 'Reports in one status (default open), newest first (moderators and admins; who reported, admins only)',
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
