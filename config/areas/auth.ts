import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { bool, csv, defineArea, int } from '../env-rules.js';

const DEV_JWT_SECRET = 'dev-only-secret-change-me-0123456789abcdef';

/** Every secret also accepted costs a check for each refused token: a rotation needs one. */
const MAX_ACCEPTED_SECRETS = 3;

/**
 * An accepted secret is as strong as the signing one must be, is not the signing one again,
 * and in production is not the development default (whoever reads this repository has it).
 */
function acceptedSecretProblems(accepted: string[], current: string, production: boolean): string[] {
  return [
    ...(accepted.length > MAX_ACCEPTED_SECRETS ? [`JWT_ACCEPTED_SECRETS: at most ${MAX_ACCEPTED_SECRETS}`] : []),
    ...(accepted.some((s) => s.length < 32) ? ['JWT_ACCEPTED_SECRETS: each at least 32 characters'] : []),
    ...(accepted.includes(current) ? ['JWT_ACCEPTED_SECRETS: holds JWT_ACCESS_SECRET itself'] : []),
    // The list is split on commas and trimmed: the signing secret must survive being listed
    // there at the rotation's next step, so a rotation cannot start from one that would not.
    ...(accepted.length && (current.includes(',') || current !== current.trim())
      ? [
          'JWT_ACCESS_SECRET: holds a comma or surrounding spaces, so it cannot be listed in JWT_ACCEPTED_SECRETS; replace it outright',
        ]
      : []),
    ...(production && accepted.includes(DEV_JWT_SECRET) ? ['JWT_ACCEPTED_SECRETS: holds the development secret'] : []),
  ];
}

/** Access tokens, sessions, passwords, cookies and account links. */
export const auth = defineArea({
  vars: {
    JWT_ACCESS_SECRET: z.string().min(32, 'at least 32 characters').default(DEV_JWT_SECRET),
    // A rotation (docs/deploy.md): secrets whose tokens, cursors and links are also accepted, never signed with.
    JWT_ACCEPTED_SECRETS: csv,
    JWT_ISSUER: z.string().min(1).default('devtinder-api'),
    JWT_AUDIENCE: z.string().min(1).default('devtinder-clients'),
    ACCESS_TOKEN_TTL_SECONDS: int(900, 30, 3600),
    REFRESH_TOKEN_TTL_DAYS: int(30, 1, 365),
    REFRESH_TOKEN_CARRIES_ROLE: bool(true),
    BCRYPT_COST: z.coerce.number().int().min(4).max(15).optional(),
    BCRYPT_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
    COOKIE_SECURE: z.enum(['true', 'false']).optional(),
    COOKIE_SAMESITE: z.enum(['lax', 'strict']).default('lax'),
    COOKIE_DOMAIN: z.string().min(1).optional(),
    EMAIL_VERIFY_TTL_HOURS: int(48, 1, 720),
    PASSWORD_RESET_TTL_MINUTES: int(60, 5, 1440),
    RECENT_AUTH_MINUTES: int(10, 1, 1440),
    GEOIP_DB_PATH: z.string().min(1).optional(),
  },
  check: (e, { production }) => [
    ...acceptedSecretProblems(e.JWT_ACCEPTED_SECRETS, e.JWT_ACCESS_SECRET, production),
    ...(production
      ? [
          ...(e.JWT_ACCESS_SECRET === DEV_JWT_SECRET ? ['JWT_ACCESS_SECRET: required in production'] : []),
          ...(e.BCRYPT_COST !== undefined && e.BCRYPT_COST < 10 ? ['BCRYPT_COST: at least 10 in production'] : []),
        ]
      : []),
  ],
  settings: (e, { production }) => ({
    auth: {
      jwtSecret: e.JWT_ACCESS_SECRET,
      jwtAcceptedSecrets: e.JWT_ACCEPTED_SECRETS,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
      // false: refresh tokens are issued without the role part, as releases before it read
      // them (the first step of a two-step release, docs/deploy.md); tokens with it are still read.
      refreshCarriesRole: e.REFRESH_TOKEN_CARRIES_ROLE,
      bcryptCost: e.BCRYPT_COST ?? (production ? 12 : 10),
      bcryptConcurrency: e.BCRYPT_CONCURRENCY ?? Math.max(1, availableParallelism() - 1),
      emailVerifyTtlHours: e.EMAIL_VERIFY_TTL_HOURS,
      passwordResetTtlMinutes: e.PASSWORD_RESET_TTL_MINUTES,
      // Linking or unlinking a sign-in method needs a sign-in (or a password confirmed) this recent.
      recentAuthMinutes: e.RECENT_AUTH_MINUTES,
      geoipDbPath: e.GEOIP_DB_PATH,
    },
    cookies: {
      secure: e.COOKIE_SECURE === undefined ? production : e.COOKIE_SECURE === 'true',
      sameSite: e.COOKIE_SAMESITE,
      domain: e.COOKIE_DOMAIN,
    },
  }),
});
