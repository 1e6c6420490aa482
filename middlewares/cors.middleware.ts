import cors, { type CorsOptions } from 'cors';
import type { RequestHandler } from 'express';

/**
 * CORS as the cors package answers it, for requests that carry an Origin: only a browser's
 * cross-origin request (and any browser POST) does, and only a browser reads the
 * Access-Control-* headers. Every other request (apps, servers, a same-origin page's GET)
 * gets just `Vary: Origin`, so that no cache hands its answer to a cross-origin page later;
 * the headers it would have got are ones nobody reads. An OPTIONS request goes to cors
 * whatever it carries, so it is answered at once as before, never by the routes behind.
 */
export function crossOriginRequests(options: CorsOptions): RequestHandler {
  const answer = cors(options);
  return (req, res, next) => {
    if (req.headers.origin !== undefined || req.method === 'OPTIONS') return answer(req, res, next);
    res.vary('Origin');
    next();
  };
}
