import type { RequestHandler } from 'express';
import { AppError } from '../utils/app-error.js';

/** What the edge refuses in a body, a query or the params. */
type Unsafe = { key: string } | { illFormed: true };

// A lone surrogate (JSON's "\ud800") or a NUL: no text of ours holds either. validator's checks
// that encode their input (isEmail's byte length) throw on the first, a 500 for a client's
// mistake; the second ends a bcrypt password early and is refused by FerretDB's storage.
const BROKEN_TEXT = /\p{Cs}|\0/u;
const ILL_FORMED: Unsafe = { illFormed: true };

/**
 * The first key, at any depth, that could become a MongoDB operator or path, or the first
 * key or text that is not well-formed Unicode (or holds a NUL).
 */
function findUnsafeInput(value: unknown, depth = 0): Unsafe | null {
  if (typeof value === 'string') return BROKEN_TEXT.test(value) ? ILL_FORMED : null;
  if (value === null || typeof value !== 'object') return null;
  if (depth > 20) return { key: '(too deep)' };
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('$') || key.includes('.')) return { key };
    if (BROKEN_TEXT.test(key)) return ILL_FORMED;
    const found = findUnsafeInput(child, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Throws what `findUnsafeInput` found in one part of the request, if anything. */
export function refuseUnsafeInput(value: unknown, location: 'body' | 'query' | 'params'): void {
  const found = findUnsafeInput(value);
  if (!found) return;
  if ('key' in found) {
    throw new AppError('INVALID_INPUT_KEY', 'Keys may not start with "$" or contain "."', { location, key: found.key });
  }
  throw new AppError('MALFORMED_TEXT', 'The request holds a NUL or text that is not valid Unicode', { location });
}

/**
 * Refuses operator injection at the edge: `{"$gt": ""}` never reaches a query; nor does broken
 * text reach a check. (Path parameters are decoded per route, after this: validate() checks them.)
 */
export const rejectUnsafeInput: RequestHandler = (req, _res, next) => {
  refuseUnsafeInput(req.body, 'body');
  refuseUnsafeInput(req.query, 'query');
  next();
};

/**
 * The API takes each query parameter once: node's parser makes a repeated one an array, which
 * express-validator checks item by item and lets through (`limit=1&limit=2` became a NaN
 * limit). Lists are comma-separated. (Web pages and media ignore what they do not read.)
 */
export const rejectRepeatedQuery: RequestHandler = (req, _res, next) => {
  const query = req.query as Record<string, unknown>;
  for (const name in query) {
    if (typeof query[name] !== 'string') {
      throw new AppError('REPEATED_QUERY_PARAMETER', 'A query parameter may be given once', { parameter: name });
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
