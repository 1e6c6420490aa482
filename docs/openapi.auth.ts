import { errors, json, jsonBody as body, ref } from './openapi.schemas.js';

const str = { type: 'string' };
const noContent = { description: 'Done' };
const publicOp = { security: [] };

export const authPaths = {
  '/api/v1/auth/signup': {
    post: {
      tags: ['auth'],
      summary: 'Create an account with the full profile; sets the auth cookies',
      description:
        '409: a field is taken (EMAIL_TAKEN and the like), or CONCURRENT_UPDATE: the account was created, but its address was proven by its owner (which ends its sessions) before the session began; sign in.',
      ...publicOp,
      requestBody: { required: true, content: json(ref('SignupRequest')) },
      responses: {
        '201': { description: 'Signed up and signed in', content: json(ref('AuthResult')) },
        ...errors('400', '409', '413', '429', '503'),
      },
    },
  },
  '/api/v1/auth/login': {
    post: {
      tags: ['auth'],
      summary: 'Sign in with an email or username; sets the auth cookies',
      description:
        "409 CONCURRENT_UPDATE: the account changed while the sign-in was under way (its role, its password, a mailbox proof or anything else that ended its sessions); this sign-in's session ended, sign in again. 429: the address's sign-ins (right or wrong, 60 a minute) or failures are spent, or (Retry-After 1) it has three password checks waiting already. 503 PASSWORD_CHECKS_BUSY: too many password checks are waiting; try again shortly (it counts as no failure).",
      ...publicOp,
      requestBody: body(
        {
          identifier: str,
          password: str,
          deviceToken: {
            type: 'string',
            description:
              "An app's known-device token from an earlier sign-in (browsers send it as a cookie): its failures count apart, so others' wrong passwords do not lock it out",
          },
        },
        ['identifier', 'password'],
      ),
      responses: {
        '200': { description: 'Signed in', content: json(ref('AuthResult')) },
        ...errors('400', '401', '403', '409', '429', '503'),
      },
    },
  },
  '/api/v1/auth/refresh': {
    post: {
      tags: ['auth'],
      summary: 'Rotate the refresh token (body or cookie); a reused token revokes its session',
      ...publicOp,
      requestBody: {
        required: false,
        content: json({ type: 'object', additionalProperties: false, properties: { refreshToken: str } }),
      },
      responses: { '200': { description: 'New tokens', content: json(ref('Tokens')) }, ...errors('400', '401', '403') },
    },
  },
  '/api/v1/auth/logout': {
    post: {
      tags: ['auth'],
      summary: 'End this session and clear the cookies',
      ...publicOp,
      requestBody: {
        required: false,
        content: json({ type: 'object', additionalProperties: false, properties: { refreshToken: str } }),
      },
      responses: { '204': noContent, ...errors('400', '403') },
    },
  },
  '/api/v1/auth/logout-all': {
    post: {
      tags: ['auth'],
      summary: 'End every session of the signed-in user',
      responses: {
        '200': {
          description: 'Sessions ended',
          content: json({ type: 'object', required: ['revokedSessions'], properties: { revokedSessions: { type: 'integer' } } }),
        },
        ...errors('401', '403'),
      },
    },
  },
  '/api/v1/auth/me': {
    get: {
      tags: ['auth'],
      summary: 'The signed-in user',
      responses: { '200': { description: 'The user', content: json(ref('UserEnvelope')) }, ...errors('401', '404') },
    },
  },
  '/api/v1/auth/check': {
    get: {
      tags: ['auth'],
      summary:
        "Whether the caller is signed in (what nginx configs before the per-kind upload checks ask before reading a picture; kept for one release); a refusal's JSON is in the X-Error-Body header too",
      deprecated: true,
      responses: { '204': noContent, ...errors('401') },
    },
  },
  '/api/v1/auth/verify-email': {
    post: {
      tags: ['auth'],
      summary: 'Consume an email verification token',
      ...publicOp,
      requestBody: body({ token: str }),
      responses: { '200': { description: 'Verified', content: json(ref('UserEnvelope')) }, ...errors('400', '429', '503') },
    },
  },
  '/api/v1/auth/verify-email/resend': {
    post: {
      tags: ['auth'],
      summary: 'Send the verification email again (rate limited)',
      responses: {
        '202': {
          description: 'Sent',
          content: json({ type: 'object', required: ['sent'], properties: { sent: { const: true } } }),
        },
        ...errors('401', '409', '429'),
      },
    },
  },
  '/api/v1/auth/forgot-password': {
    post: {
      tags: ['auth'],
      summary: 'Email a reset link; the answer is the same whether or not the account exists',
      ...publicOp,
      requestBody: body({ email: { type: 'string', format: 'email' } }),
      responses: {
        '202': {
          description: 'Accepted',
          content: json({ type: 'object', required: ['message'], properties: { message: str } }),
        },
        ...errors('400', '429'),
      },
    },
  },
  '/api/v1/auth/reset-password': {
    post: {
      tags: ['auth'],
      summary: 'Set a new password with a reset token (single use, one hour); ends every session',
      ...publicOp,
      requestBody: body({ token: str, password: str }),
      responses: { '204': noContent, ...errors('400', '429', '503') },
    },
  },
  '/api/v1/auth/reauthenticate': {
    post: {
      tags: ['auth'],
      summary: 'Confirm the password in this session',
      description:
        'Linking or unlinking a sign-in method needs a sign-in or a confirmation this recent (RECENT_AUTH_MINUTES). Failures count with failed logins.',
      requestBody: body({ password: str }),
      responses: { '204': noContent, ...errors('400', '401', '409', '429', '503') },
    },
  },
  '/api/v1/auth/change-password': {
    post: {
      tags: ['auth'],
      summary: 'Change the password; ends every other session',
      requestBody: body({ currentPassword: str, newPassword: str }),
      responses: { '204': noContent, ...errors('400', '401', '403', '429', '503') },
    },
  },
  '/api/v1/auth/change-email': {
    post: {
      tags: ['auth'],
      summary:
        'Ask to move the account to a new address (needs a recent sign-in or /reauthenticate): the new address gets a confirmation link, the current one is told (rate limited)',
      requestBody: body({ email: str }),
      responses: {
        '202': {
          description: 'The link is on its way',
          content: json({ type: 'object', required: ['sent'], properties: { sent: { const: true } } }),
        },
        ...errors('400', '401', '403', '409', '429'),
      },
    },
  },
  '/api/v1/auth/change-email/confirm': {
    post: {
      tags: ['auth'],
      summary: 'Confirm the new address with its mailed link: the account uses it from now on, verified',
      ...publicOp,
      requestBody: body({ token: str }),
      responses: { '200': { description: 'Moved', content: json(ref('UserEnvelope')) }, ...errors('400', '409') },
    },
  },
};
