import { z } from 'zod';
import { defineArea } from '../env-rules.js';

/** Outgoing mail: logged in development, AWS SES in production. */
export const mail = defineArea({
  vars: {
    MAIL_PROVIDER: z.enum(['log', 'ses']).default('log'),
    MAIL_FROM: z.string().min(3).default('DevTinder <no-reply@localhost>'),
    AWS_REGION: z.string().min(1).default('us-east-1'),
    SES_ENDPOINT: z.url().optional(),
  },
  check: (e, { production }) =>
    production && e.MAIL_PROVIDER === 'log' ? ['MAIL_PROVIDER: "log" is for development; use "ses" in production'] : [],
  settings: (e) => ({
    mail: { provider: e.MAIL_PROVIDER, from: e.MAIL_FROM, region: e.AWS_REGION, sesEndpoint: e.SES_ENDPOINT },
  }),
});
