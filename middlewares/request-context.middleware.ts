import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Express, Request, RequestHandler } from 'express';
import { logger, logLine } from '../utils/logger.js';
import { httpDuration } from '../utils/metrics.js';
import { lazyRequestProperty } from './lazy-request-property.js';

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type TrustFn = (address: string, hop: number) => boolean;

/**
 * Gives each request an id and a child logger carrying it. The proxy's id is kept (when
 * sane) only from a proxy config trusts: a client talking to the app directly cannot
 * choose the id its actions are audited under.
 */
export const requestContext: RequestHandler = (req, res, next) => {
  const incoming = req.get('x-request-id');
  const fromProxy = incoming !== undefined && (req.app.get('trust proxy fn') as TrustFn)(req.socket.remoteAddress ?? '', 0);
  req.id = fromProxy && VALID_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', req.id);
  // The audit trail names the request each change came from: controllers pass req.id down
  // (AuditEntry.requestId says why not an AsyncLocalStorage).
  next();
};

/**
 * `req.log`, a child logger carrying the request id, made the first time a line is written
 * for the request: a request that logs nothing (an access log below the level) builds none.
 */
export function lazyRequestLog(app: Express): void {
  lazyRequestProperty(app, 'log', (req) => logger.child({ requestId: req.id }));
}

// Mount paths match whatever the case: the base path is lower-cased, or each spelling a client
// sends (/API/v1/Users/...) would be a metrics series of its own.
const routeTemplate = (req: Request) =>
  req.route ? req.baseUrl.toLowerCase() + (req.route as { path: string }).path : 'unmatched';

/**
 * After each mounted router, for errors only: the matched route's template while the
 * router's base path still holds (an error leaving the router resets it), for accessLog.
 */
export const rememberRouteOnError: ErrorRequestHandler = (err, req, res, next) => {
  res.locals.routeTemplate ??= routeTemplate(req);
  next(err);
};

/**
 * Once the response is sent: its latency into the metrics by route template (never the raw
 * path, whose ids would make a series per user), and one log line. The URL is logged
 * without its query (tokens travel there).
 */
export const accessLog: RequestHandler = (req, res, next) => {
  const start = process.hrtime.bigint();
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const route = (res.locals.routeTemplate as string | undefined) ?? routeTemplate(req);
    httpDuration.observe({ method: req.method, route, status: res.statusCode }, ms / 1000);
    const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
    logLine(level, 'request', {
      requestId: req.id,
      method: req.method,
      path: req.originalUrl.split('?')[0],
      status: res.statusCode,
      durationMs: Math.round(ms * 10) / 10,
      ip: req.ip,
      userId: req.auth?.sub,
      contentLength: res.getHeader('content-length'),
    });
  });
  next();
};
