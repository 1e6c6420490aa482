import type { RequestHandler } from 'express';
import { AppError } from '../utils/app-error.js';
import { refuseUnsafeInput } from '../utils/unsafe-input.js';

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
