export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: object) => ({ 'application/json': { schema } });
/** References to the shared error responses, by status. */
export const errors = (...codes: string[]) => Object.fromEntries(codes.map((c) => [c, { $ref: `#/components/responses/E${c}` }]));

const objectId = { type: 'string', pattern: '^[a-f0-9]{24}$' };
const dateTime = { type: 'string', format: 'date-time' };

export const schemas = {
  Error: {
    type: 'object',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
          message: { type: 'string' },
          details: {},
        },
      },
    },
  },
  Health: {
    type: 'object',
    required: ['status'],
    properties: { status: { const: 'ok' }, uptimeSeconds: { type: 'integer' } },
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
      locationConsent: { type: 'boolean' },
      location: {
        type: 'object',
        properties: { lat: { type: 'number' }, lng: { type: 'number' }, updatedAt: dateTime },
      },
      role: { enum: ['user', 'moderator', 'admin'] },
      plan: { type: 'string' },
      planExpiresAt: dateTime,
      verifiedBadge: { type: 'boolean' },
      createdAt: dateTime,
      updatedAt: dateTime,
    },
  },
  UserEnvelope: { type: 'object', required: ['user'], additionalProperties: false, properties: { user: ref('User') } },
  Tokens: {
    type: 'object',
    required: ['accessToken', 'refreshToken'],
    additionalProperties: false,
    properties: {
      accessToken: { type: 'string', description: 'JWT (HS256), about 15 minutes' },
      refreshToken: { type: 'string', description: 'Opaque, single use, about 30 days' },
    },
  },
  AuthResult: {
    type: 'object',
    required: ['user', 'accessToken', 'refreshToken'],
    additionalProperties: false,
    properties: { user: ref('User'), accessToken: { type: 'string' }, refreshToken: { type: 'string' } },
  },
  SignupRequest: {
    type: 'object',
    additionalProperties: false,
    required: [
      'firstName',
      'lastName',
      'gender',
      'dateOfBirth',
      'email',
      'phone',
      'username',
      'password',
      'preference',
      'interests',
    ],
    properties: {
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
    },
  },
};
