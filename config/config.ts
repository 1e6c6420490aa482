import { z } from 'zod';
import { auth } from './areas/auth.js';
import { calls } from './areas/calls.js';
import { chat } from './areas/chat.js';
import { database } from './areas/database.js';
import { jobs } from './areas/jobs.js';
import { limits } from './areas/limits.js';
import { mail } from './areas/mail.js';
import { notifications } from './areas/notifications.js';
import { push } from './areas/push.js';
import { media } from './areas/media.js';
import { oauth } from './areas/oauth.js';
import { payments } from './areas/payments.js';
import { plans } from './areas/plans.js';
import { posts } from './areas/posts.js';
import { server } from './areas/server.js';
import { storage } from './areas/storage.js';
import type { AreaContext } from './env-rules.js';

/**
 * Every environment variable the server reads, validated once into a typed object. Each
 * variable is named in one area of config/areas (its rule, default, checks and settings
 * together); this file only puts the areas side by side. parseConfig is pure so tests can
 * feed it any environment.
 */

const areas = [
  server,
  database,
  auth,
  oauth,
  limits,
  mail,
  storage,
  plans,
  chat,
  notifications,
  push,
  calls,
  payments,
  posts,
  media,
  jobs,
];

const names = areas.flatMap((area) => Object.keys(area.vars));
const twice = names.filter((name, i) => names.indexOf(name) !== i);
if (twice.length) throw new Error(`Config variables named in two areas: ${twice.join(', ')}`);

export const envSchema = z.object({
  ...server.vars,
  ...database.vars,
  ...auth.vars,
  ...oauth.vars,
  ...limits.vars,
  ...mail.vars,
  ...storage.vars,
  ...plans.vars,
  ...chat.vars,
  ...notifications.vars,
  ...push.vars,
  ...calls.vars,
  ...payments.vars,
  ...posts.vars,
  ...media.vars,
  ...jobs.vars,
});

// An area left out of the object above would have its checks read nothing.
if (Object.keys(envSchema.shape).length !== names.length) throw new Error('Config: an area is missing from envSchema');

export type Env = z.input<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: Record<string, string | undefined>) {
  // Empty strings in .env mean "unset", as most people write them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const ctx: AreaContext = { production: e.NODE_ENV === 'production', publicUrl: e.PUBLIC_URL, awsRegion: e.AWS_REGION };
  const problems = areas.flatMap((area) => area.check?.(e, ctx) ?? []);
  if (problems.length) throw new ConfigError(problems);

  return {
    ...server.settings(e, ctx),
    ...database.settings(e, ctx),
    ...auth.settings(e, ctx),
    ...oauth.settings(e, ctx),
    ...limits.settings(e, ctx),
    ...mail.settings(e, ctx),
    ...storage.settings(e, ctx),
    ...plans.settings(e, ctx),
    ...chat.settings(e, ctx),
    ...notifications.settings(e, ctx),
    ...push.settings(e, ctx),
    ...calls.settings(e, ctx),
    ...payments.settings(e, ctx),
    ...posts.settings(e, ctx),
    ...media.settings(e, ctx),
    ...jobs.settings(e, ctx),
  };
}

export type Config = ReturnType<typeof parseConfig>;
