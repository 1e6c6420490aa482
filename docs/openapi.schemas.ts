export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: object) => ({ 'application/json': { schema } });
/** An object with exactly these properties (no others), the listed ones required. */
export const closedObject = (properties: Record<string, object>, required: readonly string[] = Object.keys(properties)) => ({
  type: 'object',
  required,
  additionalProperties: false,
  properties,
});
/** A required JSON request body: an object with exactly these properties. */
export const jsonBody = (properties: Record<string, object>, required = Object.keys(properties)) => ({
  required: true,
  content: json(closedObject(properties, required)),
});
/** A required multipart/form-data body (uploads): files as binary strings, text fields beside them. */
export const multipartBody = (properties: Record<string, object>, required: readonly string[]) => ({
  required: true,
  content: { 'multipart/form-data': { schema: { type: 'object', required, properties } } },
});
/** References to the shared error responses, by status. */
export const errors = (...codes: string[]) => Object.fromEntries(codes.map((c) => [c, { $ref: `#/components/responses/E${c}` }]));

export const objectId = { type: 'string', pattern: '^[a-f0-9]{24}$' };
export const dateTime = { type: 'string', format: 'date-time' };
/** One record of the audit trail (GET /admin/audit, /admin/payments/audit). */
export const auditRecord = {
  type: 'object',
  required: ['id', 'action', 'actor', 'at'],
  properties: {
    id: objectId,
    userId: objectId,
    paymentId: objectId,
    action: { type: 'string' },
    actor: { type: 'string', description: 'user, moderator, admin, webhook, checkout, reconcile, job, system' },
    actorId: objectId,
    target: { type: 'object', properties: { type: { type: 'string' }, id: { type: 'string' } } },
    before: { type: 'object' },
    after: { type: 'object' },
    detail: { type: 'object' },
    requestId: { type: 'string' },
    at: dateTime,
  },
};
/** An id in the path. */
export const pathId = (name: string) => ({ name, in: 'path', required: true, schema: objectId });
/** nginx's questions before it reads an upload: its Content-Length, said again. */
export const uploadLengthHeader = {
  name: 'X-Upload-Length',
  in: 'header',
  required: false,
  description: "The upload's length; without it, 411 LENGTH_REQUIRED (nothing is read)",
  schema: { type: 'integer', minimum: 0 },
};
/** Said of each upload nginx asks about before it reads: how many it reads at once (nginx/devtinder.conf, devtinder_upload_accounts). */
export const uploadsAtOnce =
  'Behind nginx, at most four uploads of one account are read at once: send at most four at a time (a fifth is answered 429 RATE_LIMITED with Retry-After 10, nothing of it read or counted).';
/** What a question before an upload answers: 204, or the refusal the upload would hear (its JSON in X-Error-Body too). */
export const uploadCheckAnswers = (...codes: string[]) => ({
  '204': {
    description: 'nginx may read the upload',
    headers: {
      'X-Upload-Account': {
        description: 'Your account id: nginx holds a few uploads of each account at once',
        schema: { type: 'string' },
      },
    },
  },
  ...errors('400', '401', '403', ...codes, '411', '413', '429', '503'),
});
/** An optional query parameter. */
export const queryParam = (name: string, schema: object, description?: string) => ({
  name,
  in: 'query',
  required: false,
  schema,
  ...(description && { description }),
});
/** limit (1 to max) and the cursor of the previous page. */
export const pageParams = (max: number) => [
  queryParam('limit', { type: 'integer', minimum: 1, maximum: max }),
  queryParam('cursor', { type: 'string' }, 'nextCursor of the previous page'),
];

/** A cursor page of `key` (newest first) and the errors a list can answer with. */
export const pageOf = (key: string, item: object, errorCodes = ['400', '401']) => ({
  '200': {
    description: 'A page, newest first',
    content: json({
      type: 'object',
      required: [key, 'nextCursor'],
      properties: { [key]: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
    }),
  },
  ...errors(...errorCodes),
});

const cardProperties = {
  id: objectId,
  username: { type: 'string' },
  firstName: { type: 'string' },
  lastName: { type: 'string' },
  age: { type: 'integer', minimum: 18, description: 'Absent when they hide it' },
  interests: { type: 'array', items: { type: 'string' } },
  avatar: { oneOf: [ref('Photo'), { type: 'null' }] },
  verifiedBadge: { type: 'boolean' },
  distance: { type: 'string', description: 'A band such as "5-10 km"; absent when either has no location or they hide it' },
};

const reportItem = closedObject(
  {
    id: objectId,
    targetType: { enum: ['user', 'message', 'post', 'comment'] },
    targetId: objectId,
    reason: { type: 'string' },
    note: { type: 'string' },
    status: { enum: ['open', 'reviewed', 'dismissed'] },
    createdAt: dateTime,
  },
  ['id', 'targetType', 'targetId', 'reason', 'status', 'createdAt'],
);

const publicProfileRequired = [
  'id',
  'username',
  'firstName',
  'lastName',
  'gender',
  'bio',
  'interests',
  'preference',
  'avatar',
  'gallery',
  'verifiedBadge',
];
const publicProfileProperties = {
  ...cardProperties,
  gender: { type: 'string' },
  bio: { type: 'string' },
  preference: { enum: ['dating', 'friendship'] },
  gallery: { type: 'array', items: ref('Photo') },
};

export const schemas = {
  Error: closedObject(
    {
      error: closedObject(
        {
          code: ref('ErrorCode'),
          message: { type: 'string' },
          details: {},
        },
        ['code', 'message'],
      ),
    },
    ['error'],
  ),
  Health: {
    type: 'object',
    required: ['status'],
    properties: { status: { const: 'ok' } },
    additionalProperties: false,
  },
  Readiness: {
    type: 'object',
    required: ['status', 'checks'],
    properties: {
      status: { enum: ['ready', 'unavailable'] },
      checks: { type: 'object', properties: { database: { enum: ['up', 'down'] } } },
    },
  },
  Location: {
    type: 'object',
    required: ['lat', 'lng'],
    properties: { lat: { type: 'number', minimum: -90, maximum: 90 }, lng: { type: 'number', minimum: -180, maximum: 180 } },
  },
  User: {
    type: 'object',
    description: 'The account as its owner sees it. Never holds the password hash or a token.',
    required: [
      'id',
      'firstName',
      'lastName',
      'gender',
      'dateOfBirth',
      'email',
      'emailVerified',
      'username',
      'preference',
      'interests',
      'role',
      'plan',
      'verifiedBadge',
    ],
    additionalProperties: false,
    properties: {
      id: objectId,
      firstName: { type: 'string' },
      lastName: { type: 'string' },
      gender: { enum: ['male', 'female', 'non-binary', 'other'] },
      dateOfBirth: dateTime,
      email: { type: 'string', format: 'email' },
      emailVerified: { type: 'boolean' },
      phone: { type: 'string', pattern: '^\\+[1-9]\\d{6,14}$' },
      username: { type: 'string', pattern: '^[a-z0-9_.]{3,30}$' },
      preference: { enum: ['dating', 'friendship'] },
      interests: { type: 'array', items: { type: 'string' }, maxItems: 20 },
      bio: { type: 'string', maxLength: 500 },
      country: { type: 'string', pattern: '^[A-Z]{2}$' },
      language: { enum: ['en', 'es'], description: 'What notices, pushes and notice mails are written in; English when absent' },
      lookingFor: ref('LookingFor'),
      settings: ref('Settings'),
      availability: { enum: ['online', 'away', 'busy', 'invisible'] },
      availableForMatching: { type: 'boolean' },
      locationConsent: { type: 'boolean' },
      location: {
        type: 'object',
        properties: { lat: { type: 'number' }, lng: { type: 'number' }, updatedAt: dateTime },
      },
      avatar: { oneOf: [ref('Photo'), { type: 'null' }] },
      gallery: { type: 'array', items: ref('Photo') },
      role: { enum: ['user', 'moderator', 'admin'] },
      plan: { type: 'string' },
      planExpiresAt: dateTime,
      verifiedBadge: { type: 'boolean' },
      createdAt: dateTime,
      updatedAt: dateTime,
    },
  },
  Photo: {
    type: 'object',
    description: 'A picture, served in three WebP sizes with metadata stripped.',
    required: ['id', 'urls', 'width', 'height', 'createdAt'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', pattern: '^[0-9a-f]{24}$' },
      urls: closedObject(
        {
          thumb: { type: 'string', format: 'uri', description: '160x160, cropped' },
          card: { type: 'string', format: 'uri', description: '480x640, cropped' },
          full: { type: 'string', format: 'uri', description: 'at most 1600 on the long side' },
        },
        ['thumb', 'card', 'full'],
      ),
      width: { type: 'integer' },
      height: { type: 'integer' },
      createdAt: dateTime,
    },
  },
  Photos: closedObject(
    {
      avatar: { oneOf: [ref('Photo'), { type: 'null' }], description: 'The profile picture' },
      gallery: { type: 'array', items: ref('Photo'), description: 'In the order the owner chose' },
    },
    ['avatar', 'gallery'],
  ),
  UploadTicket: {
    type: 'object',
    description:
      'Upload straight to storage: POST a multipart form to `url` with every entry of `fields`, then the file as `file`; then confirm `key`.',
    required: ['provider', 'key', 'url', 'fields', 'expiresAt'],
    additionalProperties: false,
    properties: {
      provider: { enum: ['s3', 'cloudinary'] },
      key: { type: 'string' },
      url: { type: 'string', format: 'uri' },
      fields: { type: 'object', additionalProperties: { type: 'string' } },
      expiresAt: dateTime,
    },
  },
  LookingFor: {
    type: 'object',
    additionalProperties: false,
    properties: {
      genders: { type: 'array', items: { enum: ['male', 'female', 'non-binary', 'other'] } },
      minAge: { type: 'integer', minimum: 18, maximum: 120 },
      maxAge: { type: 'integer', minimum: 18, maximum: 120 },
      maxDistanceKm: { type: 'integer', minimum: 1, maximum: 20000 },
    },
  },
  Settings: {
    type: 'object',
    additionalProperties: false,
    properties: {
      notifications: {
        type: 'object',
        additionalProperties: false,
        properties: {
          email: { type: 'boolean' },
          push: { type: 'boolean' },
          requests: { enum: ['immediate', 'daily', 'off'], description: 'Emails about connection requests' },
        },
      },
      privacy: {
        type: 'object',
        additionalProperties: false,
        properties: {
          showAge: { type: 'boolean' },
          showDistance: { type: 'boolean' },
          readReceipts: { type: 'boolean' },
          discoverable: { type: 'boolean', description: 'false hides the profile from search and discovery' },
        },
      },
    },
  },
  ProfileUpdate: {
    type: 'object',
    additionalProperties: false,
    description: 'Only these fields; role, plan, badge, counters and verification flags are refused.',
    properties: {
      firstName: { type: 'string', maxLength: 50 },
      lastName: { type: 'string', maxLength: 50 },
      gender: { enum: ['male', 'female', 'non-binary', 'other'] },
      bio: { type: 'string', maxLength: 500 },
      country: { type: 'string', pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2; used for regional notices' },
      language: { enum: ['en', 'es'], description: 'What notices, pushes and notice mails are written in' },
      interests: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 20 },
      preference: { enum: ['dating', 'friendship'] },
      lookingFor: ref('LookingFor'),
      locationConsent: { type: 'boolean', description: 'false deletes the stored location' },
      location: { ...ref('Location'), description: 'Only with consent (now or before)' },
      settings: ref('Settings'),
    },
  },
  UserCard: {
    type: 'object',
    description: 'Another user in a list: never email, phone, birth date or coordinates.',
    required: ['id', 'username', 'firstName', 'lastName', 'interests', 'avatar', 'verifiedBadge'],
    additionalProperties: false,
    properties: cardProperties,
  },
  PublicProfile: {
    type: 'object',
    description: 'Another user as you may see them: never email, phone, birth date or coordinates.',
    required: publicProfileRequired,
    additionalProperties: false,
    properties: publicProfileProperties,
  },
  DiscoveryProfile: {
    type: 'object',
    description: 'A public profile in your feed, best fit first; its ranking score is never sent.',
    required: publicProfileRequired,
    additionalProperties: false,
    properties: publicProfileProperties,
  },
  SearchPage: closedObject(
    {
      users: { type: 'array', items: ref('UserCard') },
      nextCursor: { type: ['string', 'null'], description: 'Pass as cursor for the next page; null at the end' },
    },
    ['users', 'nextCursor'],
  ),
  BlockList: {
    type: 'object',
    required: ['blocks', 'nextCursor'],
    properties: {
      nextCursor: { type: ['string', 'null'], description: 'Pass as cursor for the next page; null at the end' },
      blocks: {
        type: 'array',
        items: {
          type: 'object',
          required: ['userId', 'username', 'blockedAt'],
          properties: {
            userId: objectId,
            username: { type: 'string' },
            firstName: { type: 'string' },
            lastName: { type: 'string' },
            blockedAt: dateTime,
          },
        },
      },
    },
  },
  Report: {
    type: 'object',
    required: ['report'],
    properties: { report: reportItem },
  },
  ReportPage: closedObject(
    {
      reports: {
        type: 'array',
        // reporterId: for admins only.
        items: { ...reportItem, properties: { ...reportItem.properties, reporterId: objectId } },
      },
      nextCursor: { type: ['string', 'null'] },
    },
    ['reports', 'nextCursor'],
  ),
  UserEnvelope: closedObject({ user: ref('User') }, ['user']),
  Tokens: {
    type: 'object',
    description: 'Browsers (requests with Origin or Sec-Fetch-Site) get the tokens as HTTP-only cookies only, never in the body.',
    required: ['expiresIn'],
    additionalProperties: false,
    properties: {
      accessToken: { type: 'string', description: 'JWT (HS256), about 15 minutes; apps only' },
      refreshToken: { type: 'string', description: 'Opaque, single use, about 30 days; apps only' },
      expiresIn: { type: 'integer', description: 'Seconds the access token lives' },
    },
  },
  AuthResult: {
    type: 'object',
    description: 'Browsers (requests with Origin or Sec-Fetch-Site) get the tokens as HTTP-only cookies only, never in the body.',
    required: ['user', 'expiresIn'],
    additionalProperties: false,
    properties: {
      user: ref('User'),
      accessToken: { type: 'string' },
      refreshToken: { type: 'string' },
      expiresIn: { type: 'integer' },
      deviceToken: { type: 'string', description: 'Sign-in only, apps only: keep it and send it with later sign-ins' },
    },
  },
  SignupRequest: closedObject(
    {
      firstName: { type: 'string', maxLength: 50 },
      lastName: { type: 'string', maxLength: 50 },
      gender: { enum: ['male', 'female', 'non-binary', 'other'] },
      dateOfBirth: { type: 'string', format: 'date', description: '18 or older' },
      email: { type: 'string', format: 'email' },
      phone: { type: 'string', description: 'E.164', example: '+14155550123' },
      username: { type: 'string', pattern: '^[a-z0-9_.]{3,30}$' },
      password: { type: 'string', description: '8 to 72 bytes (UTF-8)' },
      preference: { enum: ['dating', 'friendship'] },
      interests: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 20 },
      locationConsent: { type: 'boolean' },
      location: { ...ref('Location'), description: 'Only with locationConsent: true' },
      language: { enum: ['en', 'es'], description: 'Default: the first of Accept-Language that is supported' },
    },
    ['firstName', 'lastName', 'gender', 'dateOfBirth', 'email', 'phone', 'username', 'password', 'preference', 'interests'],
  ),
};
