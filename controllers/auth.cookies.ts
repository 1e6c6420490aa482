import type { CookieOptions, Request, Response } from 'express';
import { config } from '../config/index.js';
import type { ClientInfo } from '../services/auth/session.service.js';
import { ACCESS_COOKIE, REFRESH_COOKIE, REFRESH_COOKIE_PATH } from '../config/constants.js';
import {
  KNOWN_DEVICE_COOKIE,
  KNOWN_DEVICE_COOKIE_PATH,
  KNOWN_DEVICE_DAYS,
  knownDeviceCookieValue,
} from '../services/auth/known-device.js';

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

/**
 * The known-device token of a sign-in to `accountId` (services/auth/known-device.ts), read by
 * the sign-in only; the tokens of other accounts the browser holds (a shared computer) stay.
 */
export function setKnownDeviceCookie(req: Request, res: Response, token: string, accountId: string): void {
  const kept: unknown = (req.cookies as Record<string, unknown> | undefined)?.[KNOWN_DEVICE_COOKIE];
  res.cookie(KNOWN_DEVICE_COOKIE, knownDeviceCookieValue(token, accountId, kept), {
    ...base(),
    path: KNOWN_DEVICE_COOKIE_PATH,
    maxAge: KNOWN_DEVICE_DAYS * 86_400_000,
  });
}

/**
 * Browsers announce themselves with headers no page script can set or remove: Origin (on
 * every POST) and Sec-Fetch-Site. They get their tokens as HTTP-only cookies only, so a
 * script injected into the page never reads one; apps, which send neither, get them in
 * the body for their Bearer header.
 */
export const isBrowser = (req: Request): boolean => Boolean(req.get('origin') || req.get('sec-fetch-site'));

/** Sets the session cookies and answers the body with the tokens, except to a browser. */
export function sendSession<T extends { accessToken: string; refreshToken: string }>(
  req: Request,
  res: Response,
  result: T,
  status = 200,
): void {
  setAuthCookies(res, result);
  const { accessToken, refreshToken, ...rest } = result;
  const body = { ...rest, expiresIn: config.auth.accessTtlSeconds };
  res.status(status).json(isBrowser(req) ? body : { ...body, accessToken, refreshToken });
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

export const clientInfo = (req: Request): ClientInfo => ({ userAgent: req.get('user-agent'), ip: req.ip, requestId: req.id });
