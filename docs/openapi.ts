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
import { notificationPaths } from './openapi.notifications.js';
import { userPaths } from './openapi.users.js';
import { ERROR_CODES, type ErrorCode } from '../utils/error-codes.js';

const errorResponse = (description: string) => ({ description, content: json(ref('Error')) });

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
  '/metrics': {
    get: {
      tags: ['system'],
      summary: 'Prometheus metrics of this process (text format)',
      description:
        'Only for the scraper: answered on a direct loopback connection without proxy headers, or with METRICS_TOKEN as a Bearer token. Anything else (every request through nginx) gets 404 ROUTE_NOT_FOUND.',
      security: [],
      responses: {
        '200': { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
        '404': errorResponse('Not from the scraper'),
      },
    },
  },
  '/api/v1/uploads/unread': {
    get: {
      tags: ['system'],
      summary: "nginx's word that an upload its check admitted found no place and was not read",
      description:
        "Only for nginx (docs/deploy.md, Bodies), with the upload's headers and its request id: what the upload's check took from the sender's day of reading goes back. Through nginx from outside: 404; anyone else's call gives back nothing.",
      responses: { '204': { description: 'Given back, if anything was taken for this request' } },
    },
  },
};

const catalog = Object.entries(ERROR_CODES) as [ErrorCode, readonly [number, string]][];
/** The codes a status answers with, from the catalog. */
const codesOf = (status: number) =>
  catalog
    .filter(([, [s]]) => s === status)
    .map(([code]) => code)
    .join(', ');
/** Every error code, its status and meaning (utils/error-codes.ts), as a schema clients can switch on. */
const errorCodeSchema = {
  type: 'string',
  enum: catalog.map(([code]) => code),
  description: ['| code | status | meaning |', '|---|---|---|', ...catalog.map(([c, [s, m]]) => `| ${c} | ${s} | ${m} |`)].join(
    '\n',
  ),
};

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
    { name: 'notifications' },
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
    ...notificationPaths,
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
      E400: errorResponse(`Invalid input: ${codesOf(400)}`),
      E401: errorResponse(`Not signed in, or a bad token: ${codesOf(401)}`),
      E403: errorResponse(`Not allowed: ${codesOf(403)}`),
      E404: errorResponse(`Not found: ${codesOf(404)}`),
      E409: errorResponse(`Conflict: ${codesOf(409)}`),
      E411: errorResponse(`No length said: ${codesOf(411)}`),
      E413: errorResponse(`Too large: ${codesOf(413)}`),
      E415: errorResponse(`Not a supported type: ${codesOf(415)}`),
      E422: errorResponse(`Cannot be used: ${codesOf(422)}`),
      E429: errorResponse(`Too many (see Retry-After): ${codesOf(429)}`),
      E503: errorResponse(`Unavailable for now: ${codesOf(503)}`),
    },
    schemas: { ...schemas, ...connectionSchemas, ...chatSchemas, ErrorCode: errorCodeSchema },
  },
} as const;
