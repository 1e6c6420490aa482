import { z } from 'zod';
import { defineArea, int } from '../env-rules.js';
import { parseRateRules } from '../rate-rules.js';

/** RATE_LIMITS over the default budgets (config/rate-rules.ts); a bad entry is named at start-up. */
const rateRules = z
  .string()
  .optional()
  .transform((spec, ctx) => {
    const rules = parseRateRules(spec);
    if (typeof rules !== 'string') return rules;
    ctx.addIssue({ code: 'custom', message: rules });
    return z.NEVER;
  });

/** Budgets: sign-in failures and mails per account and address, and every action's rate. */
export const limits = defineArea({
  vars: {
    LOGIN_MAX_FAILURES_PER_ACCOUNT: int(5, 1, 1000),
    LOGIN_MAX_FAILURES_PER_IP: int(50, 1, 100_000),
    LOGIN_LOCKOUT_MINUTES: int(15, 1, 1440),
    LOGIN_MAX_FAILURES_PER_DEVICE_PER_DAY: int(10, 1, 1000),
    EMAIL_RESEND_PER_HOUR: int(3, 1, 100),
    FORGOT_PASSWORD_PER_HOUR: int(5, 1, 100),
    FORGOT_PASSWORD_PER_IP_PER_HOUR: int(20, 1, 100_000),
    SIGNUP_PER_IP_PER_HOUR: int(30, 1, 100_000),
    CONTACTS_PER_HOUR: int(20, 1, 10_000),
    PAYMENT_ORDERS_PER_HOUR: int(20, 1, 10_000),
    RATE_LIMIT_PREFIX: z.string().min(1).default('rl:'),
    RATE_LIMITS: rateRules,
    SOCKETS_PER_USER: int(10, 1, 1000),
    SOCKETS_PER_ADDRESS: int(200, 1, 100_000),
    PASSWORD_CHECKS_PER_ADDRESS: int(3, 1, 10_000),
  },
  settings: (e) => ({
    limits: {
      loginFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      loginFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
      loginLockoutMinutes: e.LOGIN_LOCKOUT_MINUTES,
      knownDeviceFailuresPerDay: e.LOGIN_MAX_FAILURES_PER_DEVICE_PER_DAY,
      emailResendPerHour: e.EMAIL_RESEND_PER_HOUR,
      forgotPasswordPerHour: e.FORGOT_PASSWORD_PER_HOUR,
      forgotPasswordPerIpPerHour: e.FORGOT_PASSWORD_PER_IP_PER_HOUR,
      signupPerIpPerHour: e.SIGNUP_PER_IP_PER_HOUR,
      contactsPerHour: e.CONTACTS_PER_HOUR,
      paymentOrdersPerHour: e.PAYMENT_ORDERS_PER_HOUR,
      prefix: e.RATE_LIMIT_PREFIX,
      actions: e.RATE_LIMITS,
      socketsPerUser: e.SOCKETS_PER_USER,
      socketsPerAddress: e.SOCKETS_PER_ADDRESS,
      passwordChecksPerAddress: e.PASSWORD_CHECKS_PER_ADDRESS,
    },
  }),
});
