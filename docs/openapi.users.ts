import { closedObject, errors, json, pathId, queryParam, ref } from './openapi.schemas.js';

const username = { name: 'username', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_.]{3,30}$' } };
const done = { description: 'Done' };
const userId = pathId('userId');

const cursorParam = queryParam('cursor', { type: 'string' }, 'nextCursor of the previous page');

export const userPaths = {
  '/api/v1/users/me': {
    get: {
      tags: ['users'],
      summary: 'Your own profile and settings',
      responses: { '200': { description: 'You', content: json(ref('UserEnvelope')) }, ...errors('401', '404') },
    },
    patch: {
      tags: ['users'],
      summary: 'Edit your profile, what you look for, location (with consent) and settings',
      requestBody: { required: true, content: json(ref('ProfileUpdate')) },
      responses: { '200': { description: 'Updated', content: json(ref('UserEnvelope')) }, ...errors('400', '401', '403') },
    },
    delete: {
      tags: ['users'],
      summary:
        'Delete your account (needs a recent sign-in or POST /auth/reauthenticate): profile emptied, sessions ended, posts, photos and chat attachments deleted, messages and comments blanked',
      responses: { '204': done, ...errors('401', '403', '404') },
    },
  },
  '/api/v1/users/me/taste': {
    delete: {
      tags: ['users'],
      summary:
        'Forget what the matcher learned about you (your swipes, answers, messages, calls and views): your model is reset and nothing from before is learned',
      responses: { '204': done, ...errors('401') },
    },
  },
  '/api/v1/users/me/status': {
    patch: {
      tags: ['users'],
      summary: 'Set availability and whether you can be matched',
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          additionalProperties: false,
          properties: {
            availability: { enum: ['online', 'away', 'busy', 'invisible'] },
            availableForMatching: { type: 'boolean' },
          },
        }),
      },
      responses: { '200': { description: 'Updated', content: json(ref('UserEnvelope')) }, ...errors('400', '401', '403') },
    },
  },
  '/api/v1/users/me/blocks': {
    get: {
      tags: ['users'],
      summary: 'The people you blocked, newest first',
      parameters: [queryParam('limit', { type: 'integer', minimum: 1, maximum: 100, default: 50 }), cursorParam],
      responses: { '200': { description: 'Blocks, newest first', content: json(ref('BlockList')) }, ...errors('401', '429') },
    },
  },
  '/api/v1/users/search': {
    get: {
      tags: ['users'],
      summary: 'Find people by name, interests, age, distance, preference and gender, newest first',
      description:
        'Give at least one of q, interests or maxDistanceKm. Excludes you, people blocked either way, banned and hidden accounts; people hiding their age or distance never match those filters.',
      parameters: [
        queryParam(
          'q',
          { type: 'string', minLength: 2, maxLength: 100 },
          'Start of a first name, last name, full name or username; case and accents ignored',
        ),
        queryParam('interests', { type: 'string' }, 'Comma-separated tags (at most 5): people with any of them'),
        queryParam('minAge', { type: 'integer', minimum: 18, maximum: 120 }),
        queryParam('maxAge', { type: 'integer', minimum: 18, maximum: 120 }),
        queryParam(
          'maxDistanceKm',
          { type: 'integer', minimum: 1, maximum: 500 },
          'Needs your location. Applied at the distance band edge at or above it (1, 5, 10, 25, 50, 100, 250, 500 km), between ~1 km grid cells.',
        ),
        queryParam('preference', { enum: ['dating', 'friendship'] }),
        queryParam('gender', { enum: ['male', 'female', 'non-binary', 'other'] }),
        queryParam('limit', { type: 'integer', minimum: 1, maximum: 50, default: 20 }),
        cursorParam,
      ],
      responses: { '200': { description: 'A page of people', content: json(ref('SearchPage')) }, ...errors('400', '401', '404') },
    },
  },
  '/api/v1/users/{userId}/block': {
    post: {
      tags: ['users'],
      summary: 'Block someone: you disappear from each other everywhere',
      parameters: [userId],
      responses: { '204': done, ...errors('400', '401', '403', '404') },
    },
    delete: {
      tags: ['users'],
      summary: 'Unblock',
      parameters: [userId],
      responses: { '204': done, ...errors('400', '401', '403') },
    },
  },
  '/api/v1/users/{username}': {
    get: {
      tags: ['users'],
      summary: "Someone's public profile (404 when either blocked the other)",
      parameters: [username],
      responses: {
        '200': {
          description: 'The profile',
          content: json({ type: 'object', required: ['profile'], properties: { profile: ref('PublicProfile') } }),
        },
        ...errors('400', '401', '404'),
      },
    },
  },
  '/api/v1/reports': {
    post: {
      tags: ['users'],
      summary: 'Report a user, message or post to the moderators (once per target)',
      requestBody: {
        required: true,
        content: json(
          closedObject(
            {
              targetType: { enum: ['user', 'message', 'post', 'comment'] },
              targetId: { type: 'string', pattern: '^[a-f0-9]{24}$' },
              reason: {
                enum: ['spam', 'harassment', 'hate', 'nudity', 'violence', 'scam', 'underage', 'impersonation', 'other'],
              },
              note: { type: 'string', maxLength: 1000 },
            },
            ['targetType', 'targetId', 'reason'],
          ),
        ),
      },
      responses: {
        '201': { description: 'Filed', content: json(ref('Report')) },
        '200': { description: 'Already filed: the first report', content: json(ref('Report')) },
        ...errors('400', '401', '403', '404'),
      },
    },
  },
};
