import type { RequestHandler } from 'express';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '../config/constants.js';
import { AppError } from '../utils/app-error.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function originOf(value: string | undefined): string | null {
  if (!value) return null;
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/**
 * Cookies ride along on cross-site requests; Bearer headers never do. So a write that
 * carries our cookies and no Bearer header must come from an allowed Origin (or, for
 * old browsers, Referer). SameSite cookies are the first wall, this is the second.
 */
export function csrfProtection(allowedOrigins: string[], { asWrite = false }: { asWrite?: boolean } = {}): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return (req, _res, next) => {
    // asWrite: a read that stands for a write (nginx's question before an upload) is held to it.
    if ((!asWrite && SAFE.has(req.method)) || req.headers.authorization) return next();
    const cookies = req.cookies as Record<string, unknown> | undefined;
    if (!cookies?.[ACCESS_COOKIE] && !cookies?.[REFRESH_COOKIE]) return next();
    const origin = originOf(req.get('origin')) ?? originOf(req.get('referer'));
    if (origin && allowed.has(origin)) return next();
    throw new AppError('CSRF_REJECTED', 'Cross-site request refused: the Origin is not allowed');
  };
}
