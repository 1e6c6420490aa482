import { closedObject, dateTime, errors, json, jsonBody as body, objectId, pathId, ref } from './openapi.schemas.js';

const str = { type: 'string' };
const nullableStr = { type: ['string', 'null'] };
const publicOp = { security: [] };

const signedIn = closedObject(
  {
    status: { const: 'signed_in' },
    user: ref('User'),
    accessToken: str,
    refreshToken: str,
    expiresIn: { type: 'integer' },
  },
  ['status', 'user', 'expiresIn'],
);

const profileRequired = closedObject(
  {
    status: { const: 'profile_required' },
    signupToken: { type: 'string', description: 'Send it with the missing fields to POST /auth/oauth/complete' },
    expiresAt: dateTime,
    missing: { type: 'array', items: str, description: 'Fields the client must ask for (signup rules apply)' },
    profile: closedObject({ firstName: str, lastName: str, email: str, emailVerified: { type: 'boolean' } }, ['emailVerified']),
  },
  ['status', 'signupToken', 'expiresAt', 'missing', 'profile'],
);

const signInMethods = closedObject(
  {
    password: { type: 'boolean' },
    providers: {
      type: 'array',
      items: closedObject(
        {
          provider: { enum: ['google', 'apple', 'facebook'] },
          email: nullableStr,
          linkedAt: dateTime,
          lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
        },
        ['provider', 'email', 'linkedAt', 'lastUsedAt'],
      ),
    },
  },
  ['password', 'providers'],
);

const idTokenBody = (extra: Record<string, object> = {}) => ({
  required: true,
  content: json(
    closedObject(
      {
        idToken: { type: 'string', description: "The provider's OpenID Connect ID token" },
        nonce: { type: 'string', description: 'The nonce the client put in its request (or whose SHA-256 it put there)' },
        ...extra,
      },
      ['idToken', 'nonce'],
    ),
  ),
});

const credentials = {
  google: { label: 'Google', body: idTokenBody() },
  apple: {
    label: 'Apple',
    body: idTokenBody({ firstName: str, lastName: str }),
  },
  facebook: { label: 'Facebook', body: body({ accessToken: { type: 'string', description: 'A user access token' } }) },
};

const providerPaths = Object.fromEntries(
  Object.entries(credentials).flatMap(([provider, { label, body: requestBody }]) => [
    [
      `/api/v1/auth/oauth/${provider}`,
      {
        post: {
          tags: ['auth'],
          summary: `Sign in with ${label}: a known account signs in (cookies set); a new person gets the fields still needed`,
          description:
            "409 CONCURRENT_UPDATE: the account changed while the sign-in was under way (its role, a mailbox proof or anything else that ended its sessions); this sign-in's session ended, sign in again.",
          ...publicOp,
          requestBody,
          responses: {
            '200': { description: 'Signed in', content: json(signedIn) },
            '202': { description: 'First sign-in: complete the profile', content: json(profileRequired) },
            ...errors('400', '401', '403', '404', '409', '429', '503'),
          },
        },
      },
    ],
    [
      `/api/v1/auth/oauth/${provider}/link`,
      {
        post: {
          tags: ['auth'],
          summary: `Link a ${label} account to the signed-in user`,
          description:
            'Needs a verified email address (403 EMAIL_NOT_VERIFIED) and a recent sign-in (403 REAUTHENTICATION_REQUIRED: POST /auth/reauthenticate).',
          requestBody,
          responses: {
            '200': { description: 'The sign-in methods now', content: json(signInMethods) },
            ...errors('400', '401', '403', '404', '409', '503'),
          },
        },
      },
    ],
  ]),
);

const session = closedObject(
  {
    id: objectId,
    deviceName: { type: 'string', example: 'Chrome 120 on Windows 10' },
    deviceType: str,
    ip: nullableStr,
    country: { type: ['string', 'null'], description: 'ISO 3166 code' },
    region: { type: ['string', 'null'], example: 'United States' },
    createdAt: dateTime,
    lastUsedAt: dateTime,
    current: { type: 'boolean', description: 'The session making this request' },
  },
  ['id', 'deviceName', 'deviceType', 'ip', 'country', 'region', 'createdAt', 'lastUsedAt', 'current'],
);

export const oauthPaths = {
  '/api/v1/auth/oauth': {
    get: {
      tags: ['auth'],
      summary: 'How the signed-in user can sign in: a password and linked providers',
      responses: { '200': { description: 'Sign-in methods', content: json(signInMethods) }, ...errors('401', '404') },
    },
  },
  '/api/v1/auth/oauth/providers': {
    get: {
      tags: ['auth'],
      summary: "The social sign-ins the web app offers (Google's web client id), or null where one is off",
      ...publicOp,
      responses: {
        '200': {
          description: 'Providers',
          content: json(
            closedObject(
              {
                google: {
                  type: ['object', 'null'],
                  properties: { clientId: str },
                  required: ['clientId'],
                  additionalProperties: false,
                },
              },
              ['google'],
            ),
          ),
        },
      },
    },
  },
  '/api/v1/auth/oauth/complete': {
    post: {
      tags: ['auth'],
      summary: 'Create the account of a first social sign-in; names and email only where the provider gave none',
      description:
        '409 CONCURRENT_UPDATE: the account was created, but its address was proven by its owner (which ends its sessions) before the session began; sign in.',
      ...publicOp,
      requestBody: {
        required: true,
        content: json(
          closedObject(
            {
              signupToken: str,
              firstName: str,
              lastName: str,
              email: { type: 'string', format: 'email' },
              gender: { enum: ['male', 'female', 'non-binary', 'other'] },
              dateOfBirth: { type: 'string', format: 'date' },
              phone: str,
              username: str,
              preference: { enum: ['dating', 'friendship'] },
              interests: { type: 'array', items: str },
              locationConsent: { type: 'boolean' },
              location: ref('Location'),
            },
            ['signupToken', 'gender', 'dateOfBirth', 'phone', 'username', 'preference', 'interests'],
          ),
        ),
      },
      responses: {
        '201': { description: 'Signed up and signed in', content: json(ref('AuthResult')) },
        ...errors('400', '409', '429'),
      },
    },
  },
  ...providerPaths,
  '/api/v1/auth/oauth/{provider}': {
    delete: {
      tags: ['auth'],
      summary: 'Unlink a provider; refused (LAST_SIGN_IN_METHOD) when no other way to sign in remains',
      description: 'Needs a recent sign-in (403 REAUTHENTICATION_REQUIRED: POST /auth/reauthenticate).',
      parameters: [{ name: 'provider', in: 'path', required: true, schema: { enum: ['google', 'apple', 'facebook'] } }],
      responses: {
        '200': { description: 'The sign-in methods now', content: json(signInMethods) },
        ...errors('400', '401', '403', '404', '409'),
      },
    },
  },
  '/api/v1/auth/sessions': {
    get: {
      tags: ['auth'],
      summary: "The signed-in user's live sessions, most recently used first",
      responses: {
        '200': {
          description: 'Sessions',
          content: json(
            closedObject({ sessions: { type: 'array', items: session }, regionSource: str }, ['sessions', 'regionSource']),
          ),
        },
        ...errors('401'),
      },
    },
  },
  '/api/v1/auth/sessions/{id}': {
    delete: {
      tags: ['auth'],
      summary: 'End one of your sessions: its refresh token stops working and its sockets close',
      parameters: [pathId('id')],
      responses: { '204': { description: 'Ended' }, ...errors('400', '401', '404') },
    },
  },
};
