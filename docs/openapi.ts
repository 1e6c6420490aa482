/**
 * The OpenAPI 3.1 document, served at /api/openapi.json. Tests fail when a route
 * exists that this lacks, and check real responses against these schemas.
 */
import { adminPaths } from './openapi.admin.js';
import { authPaths } from './openapi.auth.js';
import { oauthPaths } from './openapi.oauth.js';
import { callPaths } from './openapi.calls.js';
import { chatPaths, chatSchemas } from './openapi.chat.js';
import { connectionPaths, connectionSchemas } from './openapi.connections.js';
import { json, ref, schemas } from './openapi.schemas.js';
import { paymentPaths } from './openapi.payments.js';
import { photoPaths } from './openapi.photos.js';
import { engagementPaths } from './openapi.engagement.js';
import { adminContentPaths, feedPaths } from './openapi.feeds.js';
import { postPaths } from './openapi.posts.js';
import { userPaths } from './openapi.users.js';

const systemPaths = {
  '/healthz': {
    get: {
      tags: ['system'],
      summary: 'Liveness: the process is up',
      security: [],
      responses: { '200': { description: 'Alive', content: json(ref('Health')) } },
    },
  },
  '/readyz': {
    get: {
      tags: ['system'],
      summary: 'Readiness: the database answers',
      security: [],
      responses: {
        '200': { description: 'Ready', content: json(ref('Readiness')) },
        '503': { description: 'Database unreachable', content: json(ref('Readiness')) },
      },
    },
  },
};

const errorResponse = (description: string) => ({ description, content: json(ref('Error')) });

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'DevTinder API',
    version: '1.0.0',
    description:
      "The social platform's API: accounts, profiles, photos, search and moderation. Web clients authenticate with HTTP-only cookies (writes need an allowed Origin); apps send `Authorization: Bearer <accessToken>`. Every error has the shape `{ error: { code, message, details? } }`.",
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }, { cookie: [] }],
  tags: [
    { name: 'auth' },
    { name: 'users' },
    { name: 'photos' },
    { name: 'connections' },
    { name: 'chat' },
    { name: 'payments' },
    { name: 'posts' },
    { name: 'feed' },
    { name: 'admin' },
    { name: 'system' },
  ],
  paths: {
    ...systemPaths,
    ...authPaths,
    ...oauthPaths,
    ...userPaths,
    ...photoPaths,
    ...connectionPaths,
    ...chatPaths,
    ...callPaths,
    ...paymentPaths,
    ...postPaths,
    ...engagementPaths,
    ...feedPaths,
    ...adminContentPaths,
    ...adminPaths,
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      cookie: { type: 'apiKey', in: 'cookie', name: 'access_token' },
    },
    responses: {
      E400: errorResponse('Invalid input (VALIDATION_FAILED, INVALID_INPUT_KEY, MALFORMED_JSON, ...)'),
      E401: errorResponse('Not signed in, or a bad token'),
      E403: errorResponse('Not allowed (INSUFFICIENT_ROLE, CSRF_REJECTED, ACCOUNT_BANNED)'),
      E404: errorResponse('Not found'),
      E409: errorResponse('Conflict (EMAIL_TAKEN, USERNAME_TAKEN, PHONE_TAKEN, ...)'),
      E413: errorResponse('Body or file too large (PAYLOAD_TOO_LARGE, FILE_TOO_LARGE)'),
      E415: errorResponse('Not a supported type (UNSUPPORTED_IMAGE_TYPE, MULTIPART_REQUIRED)'),
      E422: errorResponse('An image that cannot be used (IMAGE_TOO_LARGE, IMAGE_UNREADABLE)'),
      E429: errorResponse('Too many attempts (RATE_LIMITED, see Retry-After) or a used-up quota (QUOTA_EXCEEDED)'),
      E503: errorResponse('Database or a sign-in provider unavailable (DATABASE_UNAVAILABLE, OAUTH_PROVIDER_UNAVAILABLE)'),
    },
    schemas: { ...schemas, ...connectionSchemas, ...chatSchemas },
  },
} as const;
