import { normaliseIdentifier } from '../utils/text.js';
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit, type Options, type Store } from 'express-rate-limit';
import { passwordChecks, passwordChecksBusy } from '../services/auth/password.service.js';
import { clientNetwork } from '../utils/client-network.js';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Config } from '../config/index.js';
import type { RateAction } from '../config/rate-rules.js';
import { loginFailureCounters, presentedDeviceToken, presentsKeptLaneToken } from '../services/auth/known-device.js';
import { createActionLimiter, type ActionLimiter } from '../services/limits/action-limiter.js';
import { limiterCommands } from '../services/limits/limiter-commands.js';
import { StoreWithFallback } from '../services/limits/store-with-fallback.js';
import type { RedisClient } from '../services/redis.service.js';
import { AppError } from '../utils/app-error.js';
import { toAppError } from './error.middleware.js';
import { passwordLineShare } from './password-line-share.js';

export interface RateLimiters {
  /** The per-account and per-address budget of one action (config/rate-rules.ts), for a route's chain. */
  action(name: RateAction): RequestHandler;
  /** The same, counted only for requests that `applies` says are that action (after validation). */
  actionWhen(name: RateAction, applies: (req: Request) => boolean): RequestHandler;
  /** 429 now if the action's budget is used up, counting nothing (a question asked before the action). */
  actionRoom(name: RateAction): RequestHandler;
  /** Every write under the API, whatever the route: per account and per address. */
  writes: RequestHandler;
  /** The counters behind `action`, which the socket server shares. */
  actions: ActionLimiter;
  /** An address's share of the line of password checks (middlewares/password-line-share.ts), first on routes that check or hash one. */
  passwordLine: RequestHandler;
  /** The same for a sign-in: a known device's may wait in the kept lane of a full line. */
  signInLine: RequestHandler;
  /** The same, for requests that `checks` says check a password (after validation). */
  passwordLineWhen(checks: (req: Request) => boolean): RequestHandler;
  loginPerIp: RequestHandler;
  knownDevicePerDay: RequestHandler;
  loginPerIdentifier: RequestHandler;
  loginPerAccount: RequestHandler;
  signupPerIp: RequestHandler;
  emailResend: RequestHandler;
  forgotPassword: RequestHandler;
  /** Address changes per new address: a counter of its own, so asking for someone's address never blocks their resets. */
  changeEmailPerAddress: RequestHandler;
  forgotPasswordPerIp: RequestHandler;
  contactsPerUser: RequestHandler;
  paymentOrdersPerUser: RequestHandler;
}

const clientIp = (req: Request) => clientNetwork(req.ip ?? 'unknown');
const bodyString = (req: Request, field: string) => {
  const value: unknown = (req.body as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' ? normaliseIdentifier(value) : '';
};

/** The known-device token a client presents: the body's deviceToken (apps), else its cookie (web). */
const knownDeviceTokenOf = (req: Request): unknown => presentedDeviceToken(req.body, req.cookies);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * What a sign-in failure budget takes back: a success, and a 503 (the password was never
 * checked: the line of password checks was full, or the database away). Else a flood that
 * fills the line would make everyone's sign-ins count as failures and lock them out.
 */
const notAGuess = (_req: Request, res: Response) => res.statusCode < 400 || res.statusCode === 503;

const COUNTERS = Symbol('loginFailureCounters');
const DISTRUSTED = Symbol('deviceDistrusted');
type Counted = Request & {
  [COUNTERS]?: { asStranger: boolean; counters: ReturnType<typeof loginFailureCounters> };
  [DISTRUSTED]?: true;
};
/**
 * The sign-in's failure counters, read once for the limiters that count them (again, as a
 * stranger's, once its device is trusted no more). An account that cannot be read now answers
 * 503 (not a guess): a guess is never let past its account's count.
 */
const loginCountersOf = (req: Request) => {
  const r = req as Counted;
  const asStranger = r[DISTRUSTED] === true;
  if (r[COUNTERS]?.asStranger !== asStranger) {
    const presented = asStranger ? undefined : knownDeviceTokenOf(req);
    const counters = loginFailureCounters(bodyString(req, 'identifier'), presented).catch((err: unknown) => {
      // The database away is said as everywhere else (the readiness probe may not know yet).
      const cause = toAppError(err);
      if (cause.code === 'DATABASE_UNAVAILABLE') throw cause;
      throw new AppError('RATE_LIMIT_UNAVAILABLE', 'Sign-in is briefly unavailable; try again shortly');
    });
    r[COUNTERS] = { asStranger, counters };
  }
  return r[COUNTERS]!.counters;
};

/** Who is asking, as the action limits count: the account (when signed in) and the address. */
const callerOf = (req: Request) => ({ userId: req.auth?.sub, ip: clientIp(req) });

/**
 * Limiters share Redis when it is configured, so several processes count together;
 * otherwise each process counts in memory.
 */
export function createRateLimiters(
  limits: Config['limits'],
  redis?: RedisClient,
  actions: ActionLimiter = createActionLimiter(limits.actions, redis, limits.prefix),
): RateLimiters {
  const command = redis ? limiterCommands(redis) : undefined;
  const send = (command: (args: string[]) => Promise<RedisReply>, args: string[], failClosed: boolean) =>
    command(args).catch((err: unknown) => {
      if (!failClosed) throw err;
      throw new AppError('RATE_LIMIT_UNAVAILABLE', 'Sign-in is briefly unavailable; try again shortly');
    });
  const store = (name: string, failClosed: boolean): Store | undefined => {
    if (!command) return undefined;
    const shared = new RedisStore({
      prefix: `${limits.prefix}${name}:`,
      sendCommand: (...args: string[]) => send(command, args, failClosed),
    });
    return failClosed ? shared : new StoreWithFallback(shared);
  };

  /**
   * Limiters of sign-in routes (password guessing, account creation, reset mail) fail
   * closed: when their counters cannot be reached, the route answers 503 rather than let
   * guesses through uncounted. The others count in each process on its own meanwhile:
   * refusing everyone is worse than a budget per process.
   */
  const limiter = (name: string, options: Partial<Options>, failClosed = false): RequestHandler => {
    const s = store(name, failClosed);
    return rateLimit({
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      ...(s ? { store: s } : {}),
      passOnStoreError: !failClosed,
      // Its check that a keyGenerator reading req.ip calls ipKeyGenerator reads the function's
      // source only: addresses here are counted through clientNetwork, which calls it.
      validate: { keyGeneratorIpFallback: false },
      handler: (_req, _res, next) => {
        next(new AppError('RATE_LIMITED', 'Too many attempts; try again later'));
      },
      ...options,
    });
  };

  const lockoutMs = limits.loginLockoutMinutes * 60_000;
  const action =
    (name: RateAction): RequestHandler =>
    async (req, _res, next) => {
      await actions.take(name, callerOf(req));
      next();
    };
  const writeBudget = action('write');
  const passwordLineFor = passwordLineShare(clientIp, limits.passwordChecksPerAddress);
  const passwordLine = passwordLineFor();
  return {
    actions,
    action,
    actionWhen: (name, applies) => {
      const take = action(name);
      return (req, res, next) => (applies(req) ? take(req, res, next) : next());
    },
    actionRoom: (name) => async (req, _res, next) => {
      await actions.assertRoom(name, callerOf(req));
      next();
    },
    writes: (req, res, next) => (SAFE_METHODS.has(req.method) ? next() : writeBudget(req, res, next)),
    passwordLine,
    // A full line still takes a sign-in presenting a known device's token a day old or more, for the account it names, in the kept lane.
    signInLine: passwordLineFor((req) =>
      presentsKeptLaneToken(knownDeviceTokenOf(req), (req.body as { identifier?: unknown } | undefined)?.identifier),
    ),
    passwordLineWhen: (checks) => (req, res, next) => (checks(req) ? passwordLine(req, res, next) : next()),
    // Only failures count: a user who signs in correctly is never slowed down.
    loginPerIp: limiter(
      'login-ip',
      {
        windowMs: lockoutMs,
        limit: limits.loginFailuresPerIp,
        skipSuccessfulRequests: true,
        requestWasSuccessful: notAGuess,
        keyGenerator: clientIp,
      },
      true,
    ),
    // A known device's failures over a day (LOGIN_MAX_FAILURES_PER_DEVICE_PER_DAY): past them its
    // token is trusted no more that day (OWASP's device-cookie lockout), so whoever holds a token
    // (a shared browser, a copied app) does not get its own guesses every window for as long as
    // the password stays; its sign-ins count as a stranger's (and take no kept lane), by its
    // identifier and its account.
    knownDevicePerDay: limiter(
      'login-known-day',
      {
        windowMs: 86_400_000,
        limit: limits.knownDeviceFailuresPerDay,
        standardHeaders: false,
        // Only a password compared and wrong: a 429 of its own window, a 403 or a 503 checked none
        // (else an owner's typos and an app's retries on 429 would cost the device its trust).
        skipSuccessfulRequests: true,
        requestWasSuccessful: (_req, res) => res.statusCode !== 401,
        skip: async (req) => !(await loginCountersOf(req)).own.startsWith('known:'),
        keyGenerator: async (req) => (await loginCountersOf(req)).own,
        requestPropertyName: 'knownDeviceFailures',
        handler: (req, res, next) => {
          res.locals.mayTakeKeptLane = false;
          (req as Counted)[DISTRUSTED] = true;
          // Let into a full line of password checks for its token's kept lane, which it takes no
          // more: refused now (503, given back by the failure counts; the sign-in action's unit
          // is spent), not after the counters' reads.
          if (passwordChecks.wouldRefuse()) return next(passwordChecksBusy());
          next();
        },
      },
      true,
    ),
    // Per identifier, except for a client that signed in to it before: it counts on its own
    // (services/auth/known-device.ts), so nobody locks the owner out by failing on purpose.
    // Its counters keep the name they had when it was the only one (a deploy keeps their counts).
    loginPerIdentifier: limiter(
      'login-account',
      {
        windowMs: lockoutMs,
        limit: limits.loginFailuresPerAccount,
        skipSuccessfulRequests: true,
        requestWasSuccessful: notAGuess,
        keyGenerator: async (req) => (await loginCountersOf(req)).own,
      },
      true,
    ),
    // An account's failures by any of its identifiers together (its username and its address),
    // but a known device's: past them a sign-in is refused as a wrong password is, after the same
    // comparison, with no lock and no RateLimit headers, either of which would tell which address
    // belongs to which username.
    loginPerAccount: limiter(
      'login-account-all',
      {
        windowMs: lockoutMs,
        limit: limits.loginFailuresPerAccount,
        standardHeaders: false,
        skipSuccessfulRequests: true,
        requestWasSuccessful: notAGuess,
        skip: async (req) => (await loginCountersOf(req)).account === null,
        keyGenerator: async (req) => (await loginCountersOf(req)).account!,
        requestPropertyName: 'accountFailures',
        handler: (req, res, next) => {
          // The first one past the count in this window (every process's, with Redis) may mail the
          // owner; auth.service's claim decides, once a day at most.
          const { used } = (req as Request & { accountFailures: { used: number } }).accountFailures;
          res.locals.pastAccountFailures = used === limits.loginFailuresPerAccount + 1 ? 'first' : 'again';
          next();
        },
      },
      true,
    ),
    signupPerIp: limiter('signup-ip', { windowMs: 3_600_000, limit: limits.signupPerIpPerHour, keyGenerator: clientIp }, true),
    emailResend: limiter('email-resend', {
      windowMs: 3_600_000,
      limit: limits.emailResendPerHour,
      keyGenerator: (req) => req.auth?.sub ?? clientIp(req),
    }),
    // Keyed by address: nobody can flood someone's inbox; the answer is the same for every address.
    forgotPassword: limiter(
      'forgot-password',
      {
        windowMs: 3_600_000,
        limit: limits.forgotPasswordPerHour,
        keyGenerator: (req) => bodyString(req, 'email') || clientIp(req),
      },
      true,
    ),
    // The same budget for address changes, counted apart: others asking to move their accounts
    // to someone's address must not use up that person's password resets.
    changeEmailPerAddress: limiter(
      'change-email-address',
      {
        windowMs: 3_600_000,
        limit: limits.forgotPasswordPerHour,
        keyGenerator: (req) => bodyString(req, 'email') || clientIp(req),
      },
      true,
    ),
    // And per address of the caller: one client cannot mail reset links to thousands of people.
    forgotPasswordPerIp: limiter(
      'forgot-password-ip',
      {
        windowMs: 3_600_000,
        limit: limits.forgotPasswordPerIpPerHour,
        keyGenerator: clientIp,
      },
      true,
    ),
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
