import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Options, type Store } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Config } from '../config/index.js';
import type { RedisClient } from '../services/redis.service.js';
import { AppError } from '../utils/app-error.js';

export interface RateLimiters {
  loginPerIp: RequestHandler;
  loginPerAccount: RequestHandler;
  signupPerIp: RequestHandler;
  emailResend: RequestHandler;
  forgotPassword: RequestHandler;
  forgotPasswordPerIp: RequestHandler;
  contactsPerUser: RequestHandler;
  paymentOrdersPerUser: RequestHandler;
}

const clientIp = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');
const bodyString = (req: Request, field: string) => {
  const value: unknown = (req.body as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' ? value.trim().toLowerCase() : '';
};

/**
 * Limiters share Redis when it is configured, so several processes count together;
 * otherwise each process counts in memory.
 */
export function createRateLimiters(limits: Config['limits'], redis?: RedisClient): RateLimiters {
  const store = (name: string): Store | undefined =>
    redis
      ? new RedisStore({
          prefix: `${limits.prefix}${name}:`,
          sendCommand: (...args: string[]) => redis.sendCommand(args) as Promise<RedisReply>,
        })
      : undefined;

  const limiter = (name: string, options: Partial<Options>): RequestHandler => {
    const s = store(name);
    return rateLimit({
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      ...(s ? { store: s } : {}),
      // Fail open on a Redis hiccup: a brief lapse in limiting beats refusing every login.
      passOnStoreError: true,
      handler: (_req, _res, next, opts) => {
        next(new AppError(opts.statusCode, 'RATE_LIMITED', 'Too many attempts; try again later'));
      },
      ...options,
    });
  };

  const lockoutMs = limits.loginLockoutMinutes * 60_000;
  return {
    // Only failures count: a user who signs in correctly is never slowed down.
    loginPerIp: limiter('login-ip', {
      windowMs: lockoutMs,
      limit: limits.loginFailuresPerIp,
      skipSuccessfulRequests: true,
      keyGenerator: clientIp,
    }),
    loginPerAccount: limiter('login-account', {
      windowMs: lockoutMs,
      limit: limits.loginFailuresPerAccount,
      skipSuccessfulRequests: true,
      keyGenerator: (req) => bodyString(req, 'identifier'),
    }),
    signupPerIp: limiter('signup-ip', { windowMs: 3_600_000, limit: limits.signupPerIpPerHour, keyGenerator: clientIp }),
    emailResend: limiter('email-resend', {
      windowMs: 3_600_000,
      limit: limits.emailResendPerHour,
      keyGenerator: (req) => req.auth?.sub ?? clientIp(req),
    }),
    // Keyed by address: nobody can flood someone's inbox; the answer is the same for every address.
    forgotPassword: limiter('forgot-password', {
      windowMs: 3_600_000,
      limit: limits.forgotPasswordPerHour,
      keyGenerator: (req) => bodyString(req, 'email') || clientIp(req),
    }),
    // And per address of the caller: one client cannot mail reset links to thousands of people.
    forgotPasswordPerIp: limiter('forgot-password-ip', {
      windowMs: 3_600_000,
      limit: limits.forgotPasswordPerIpPerHour,
      keyGenerator: clientIp,
    }),
    // Each order is a call to Razorpay's API: a client looping on it must not run up that bill.
    paymentOrdersPerUser: limiter('payment-orders', {
      windowMs: 3_600_000,
      limit: limits.paymentOrdersPerHour,
      keyGenerator: (req) => req.auth?.sub ?? clientIp(req),
    }),
    // "Add a contact by email" must not become a way to test which addresses have accounts.
    contactsPerUser: limiter('contacts', {
      windowMs: 3_600_000,
      limit: limits.contactsPerHour,
      keyGenerator: (req) => req.auth?.sub ?? clientIp(req),
    }),
  };
}
