import type { CookieOptions, Request, Response } from 'express';
import { config } from '../config/index.js';
import { ACCESS_COOKIE, REFRESH_COOKIE, REFRESH_COOKIE_PATH } from '../config/constants.js';

const base = (): CookieOptions => ({
  httpOnly: true,
  secure: config.cookies.secure,
  sameSite: config.cookies.sameSite,
  ...(config.cookies.domain ? { domain: config.cookies.domain } : {}),
});

export function setAuthCookies(res: Response, tokens: { accessToken: string; refreshToken: string }): void {
  res.cookie(ACCESS_COOKIE, tokens.accessToken, { ...base(), path: '/', maxAge: config.auth.accessTtlSeconds * 1000 });
  res.cookie(REFRESH_COOKIE, tokens.refreshToken, {
    ...base(),
    path: REFRESH_COOKIE_PATH,
    maxAge: config.auth.refreshTtlDays * 86_400_000,
  });
}

export function clearAuthCookies(res: Response): void {
  res.clearCookie(ACCESS_COOKIE, { ...base(), path: '/' });
  res.clearCookie(REFRESH_COOKIE, { ...base(), path: REFRESH_COOKIE_PATH });
}

/** The refresh token from the body (apps) or its cookie (web). */
export function readRefreshToken(req: Request): string | undefined {
  const fromBody = req.input.refreshToken;
  if (typeof fromBody === 'string') return fromBody;
  const fromCookie: unknown = req.cookies?.[REFRESH_COOKIE];
  return typeof fromCookie === 'string' && fromCookie ? fromCookie : undefined;
}

export const clientInfo = (req: Request) => ({ userAgent: req.get('user-agent'), ip: req.ip });
