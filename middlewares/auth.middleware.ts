import type { Request, RequestHandler } from 'express';
import { ACCESS_COOKIE } from '../config/constants.js';
import { accessTokens } from '../services/auth.service.js';
import { isSessionEnded } from '../services/session-revocations.js';
import { forbidden, unauthorized } from '../utils/app-error.js';
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

function identify(req: Request): boolean {
  const found = readAccessToken(req);
  if (!found) return false;
  const claims = accessTokens.verify(found.token);
  if (!claims || isSessionEnded(claims.sid)) throw unauthorized('Access token is invalid or expired', 'INVALID_TOKEN');
  req.auth = { ...claims, via: found.via };
  return true;
}

/** Requires a valid access token; stateless, so the hot path touches no database. */
export const authenticate: RequestHandler = (req, _res, next) => {
  if (!identify(req)) throw unauthorized();
  next();
};

/** Identifies the caller when a token is present and valid, and carries on anonymously otherwise. */
export const optionalAuth: RequestHandler = (req, _res, next) => {
  try {
    identify(req);
  } catch {
    req.auth = undefined;
  }
  next();
};

export const requireRole =
  (...roles: Role[]): RequestHandler =>
  (req, _res, next) => {
    if (!req.auth) throw unauthorized();
    if (!roles.includes(req.auth.role)) throw forbidden('Your role does not allow this', 'INSUFFICIENT_ROLE');
    next();
  };
