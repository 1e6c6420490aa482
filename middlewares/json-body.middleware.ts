import express, { type RequestHandler } from 'express';
import { AppError } from '../utils/app-error.js';

/**
 * express.json for the requests whose body the API reads: none of its GET (or HEAD) routes
 * reads one, so those skip the parser's checks and allocations and keep req.body undefined,
 * as the parser leaves it for a request without a body. Any other method may carry one.
 */
export function jsonBodies(options: { limit: string | number }): RequestHandler {
  const parse = express.json(options);
  // Every body the API reads is an object: an array (which the parser takes) is refused here,
  // not read by a route as "no fields given".
  const objectsOnly = (req: express.Request, next: express.NextFunction) => (err?: unknown) => {
    if (err) return next(err);
    if (Array.isArray(req.body)) return next(new AppError('BODY_NOT_OBJECT', 'The JSON body must be an object'));
    next();
  };
  return (req, res, next) => (req.method === 'GET' || req.method === 'HEAD' ? next() : parse(req, res, objectsOnly(req, next)));
}
