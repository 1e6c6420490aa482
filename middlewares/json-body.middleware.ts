import express, { type RequestHandler } from 'express';

/**
 * express.json for the requests whose body the API reads: none of its GET (or HEAD) routes
 * reads one, so those skip the parser's checks and allocations and keep req.body undefined,
 * as the parser leaves it for a request without a body. Any other method may carry one.
 */
export function jsonBodies(options: { limit: string | number }): RequestHandler {
  const parse = express.json(options);
  return (req, res, next) => (req.method === 'GET' || req.method === 'HEAD' ? next() : parse(req, res, next));
}
