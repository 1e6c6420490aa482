import type { Request, RequestHandler } from 'express';
import { ACCESS_COOKIE } from '../config/constants.js';
import { accessTokens } from '../services/auth/auth.service.js';
import { isSessionEnded } from '../services/auth/session-revocations.js';
import { forbidden, unauthorized, type AppError } from '../utils/app-error.js';
import type { Role } from '../utils/jwt.js';

/** The access token from `Authorization: Bearer` (apps) or the HTTP-only cookie (web). */
export function readAccessToken(req: Request): { token: string; via: 'cookie' | 'bearer' } | null {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
    return match?.[1] ? { token: match[1], via: 'bearer' } : null;
  }
  const cookie: unknown = req.cookies?.[ACCESS_COOKIE];
  return typeof cookie === 'string' && cookie ? { token: cookie, via: 'cookie' } : null;
}

const IDENTIFIED = Symbol('identified');
type Refusal = 'no_token' | 'invalid_token';
type Identified = Request & { [IDENTIFIED]?: Refusal | null };

/**
 * Verifies the caller's token once per request: null when it is good (claims in req.auth),
 * else why not. The error itself is built only by a route that refuses: most anonymous
 * requests (sign-in, refresh, health) never need one, and an Error captures a stack.
 */
function identify(req: Request): Refusal | null {
  const r = req as Identified;
  if (r[IDENTIFIED] !== undefined) return r[IDENTIFIED];
  const found = readAccessToken(req);
  let refused: Refusal | null = found ? null : 'no_token';
  if (found) {
    const claims = accessTokens.verify(found.token);
    if (!claims || isSessionEnded(claims.sid)) refused = 'invalid_token';
    else req.auth = { ...claims, via: found.via };
  }
  r[IDENTIFIED] = refused;
  return refused;
}

const refusalError = (refused: Refusal): AppError =>
  refused === 'no_token' ? unauthorized() : unauthorized('Access token is invalid or expired', 'INVALID_TOKEN');

/** Identifies the caller when a token is present (for limits keyed by account); never refuses by itself. */
export const identifyCaller: RequestHandler = (req, _res, next) => {
  identify(req);
  next();
};

/** Requires a valid access token; stateless, so the hot path touches no database. */
export const authenticate: RequestHandler = (req, _res, next) => {
  const refused = identify(req);
  if (refused) throw refusalError(refused);
  next();
};

/** Identifies the caller when a token is present and valid, and carries on anonymously otherwise. */
export const optionalAuth: RequestHandler = (req, _res, next) => {
  identify(req);
  next();
};

export const requireRole =
  (...roles: Role[]): RequestHandler =>
  (req, _res, next) => {
    if (!req.auth) throw unauthorized();
    if (!roles.includes(req.auth.role)) throw forbidden('Your role does not allow this', 'INSUFFICIENT_ROLE');
    next();
  };
