import type { RequestHandler } from 'express';
import { AppError } from '../utils/app-error.js';

/** The first key, at any depth, that could become a MongoDB operator or path. */
export function findUnsafeKey(value: unknown, depth = 0): string | null {
  if (value === null || typeof value !== 'object') return null;
  if (depth > 20) return '(too deep)';
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('$') || key.includes('.')) return key;
    const found = findUnsafeKey(child, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Refuses operator injection at the edge: `{"$gt": ""}` never reaches a query. */
export const rejectOperatorKeys: RequestHandler = (req, _res, next) => {
  for (const part of ['body', 'query', 'params'] as const) {
    const key = findUnsafeKey(req[part]);
    if (key) {
      throw new AppError('INVALID_INPUT_KEY', 'Keys may not start with "$" or contain "."', { location: part, key });
    }
  }
  next();
};

/**
 * Refuses a request target holding a backslash or "#": no URL of ours has either. With a "#"
 * in it, the URL parser drops what follows it and reads a backslash as "/", while a mount's
 * remainder is cut from the raw target: GET /api/v1/admin/payments\audit# reached the /admin
 * router as /payments/audit. (A hand-typed query with a raw backslash now gets this 400 too.)
 */
export const rejectMalformedTarget: RequestHandler = (req, _res, next) => {
  if (req.url.includes('\\') || req.url.includes('#')) {
    throw new AppError('MALFORMED_URL', 'The request target may not contain "\\" or "#"');
  }
  next();
};
