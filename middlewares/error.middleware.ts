import type { ErrorRequestHandler, RequestHandler } from 'express';
import mongoose from 'mongoose';
import { RateLimitedError } from '../services/limits/action-limiter.js';
import { AppError } from '../utils/app-error.js';
import { isDuplicateKey } from '../utils/duplicate-key.js';

const DB_UNAVAILABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNotConnectedError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
]);

/** Turns anything thrown into an AppError a client can act on; unknown errors become a bare 500. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof mongoose.Error.ValidationError) {
    const details = Object.values(err.errors).map((e) => ({ field: e.path, message: e.message }));
    return new AppError('VALIDATION_FAILED', 'The request is invalid', details);
  }
  if (err instanceof mongoose.Error.CastError) {
    return new AppError('INVALID_VALUE', `Invalid value for ${err.path}`, { field: err.path });
  }
  const e = err as { code?: unknown; type?: unknown; status?: unknown; name?: unknown; keyValue?: object } | null;
  if (isDuplicateKey(err)) {
    return new AppError('DUPLICATE', 'This already exists', { fields: Object.keys(e?.keyValue ?? {}) });
  }
  // body-parser's errors carry a type.
  if (e?.type === 'entity.parse.failed') return new AppError('MALFORMED_JSON', 'The body is not valid JSON');
  if (e?.type === 'entity.too.large') return new AppError('PAYLOAD_TOO_LARGE', 'The body is too large');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new AppError('UNSUPPORTED_ENCODING', 'Unsupported body encoding');
  }
  if (typeof e?.name === 'string' && DB_UNAVAILABLE.has(e.name)) {
    return new AppError('DATABASE_UNAVAILABLE', 'The service is temporarily unavailable');
  }
  // The router could not percent-decode a path parameter ("%E0%A4%A").
  if (err instanceof URIError && e?.status === 400)
    return new AppError('MALFORMED_URL', 'The request target could not be decoded');
  // A file gone from under sendFile (deleted after its link was checked) is not the client's fault.
  if (e?.status === 404) return new AppError('NOT_FOUND', 'Not found');
  // sendFile refusing a Range past the end: players read the size from its Content-Range.
  if (e?.status === 416) return new AppError('RANGE_NOT_SATISFIABLE', 'The range is beyond the end of the file');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new AppError('BAD_REQUEST', 'The request could not be processed');
  }
  return new AppError('INTERNAL', 'Something went wrong on our side');
}

export const notFoundHandler: RequestHandler = (req, res) => {
  // No route answered, whatever route passed the request on (the web app's page, a static miss).
  res.locals.routeTemplate = 'unmatched';
  throw new AppError('ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path}`);
};

// What a file being sent sets before it can fail (send sets its ranges before the stream opens).
const FILE_HEADERS = ['Content-Type', 'ETag', 'Last-Modified', 'Content-Disposition', 'Content-Range', 'Accept-Ranges'];

/** The one place errors become responses: `{ error: { code, message, details? } }`, never a stack. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const appError = toAppError(err);
  const log = req.log;
  if (appError.status >= 500) {
    log?.error('request failed', {
      error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
    });
  }
  // Too late to answer: the headers (and maybe part of a body) are on their way.
  if (res.headersSent) {
    res.end();
    return;
  }
  if (appError instanceof RateLimitedError) res.setHeader('Retry-After', String(appError.retryAfterSeconds));
  if (appError.status === 503 && !res.getHeader('Retry-After')) res.setHeader('Retry-After', '5');
  // An error answers this request alone: no cache keeps one, whatever the route had said
  // before failing (a media file's private max-age), nor one raised before the API's own.
  // What a file being sent had already set (its type, validators, a download's name) is
  // not this JSON's.
  res.setHeader('Cache-Control', 'no-store');
  // The code in a header too: nginx's auth_request reads headers only, and passes it on.
  res.setHeader('X-Error-Code', appError.code);
  // A 416 keeps send's "bytes */<size>": it is the answer's (RFC 9110 15.5.17), not the file's.
  const unsatisfied = appError.status === 416 ? res.getHeader('Content-Range') : undefined;
  for (const name of FILE_HEADERS) res.removeHeader(name);
  if (unsatisfied !== undefined) res.setHeader('Content-Range', unsatisfied);
  const body = {
    error: {
      code: appError.code,
      message: appError.message,
      ...(appError.details !== undefined ? { details: appError.details } : {}),
    },
  };
  if (res.locals.errorInHeaders) {
    const text = headerSafeJson(body);
    if (text.length <= ERROR_HEADER_MAX) res.setHeader('X-Error-Body', text);
  }
  res.status(appError.status).json(body);
};

// nginx reads an auth subrequest's headers into its own buffer (proxy_buffer_size, 8 KiB in the
// check locations): a longer answer goes without it, and nginx answers 503 in its own words for
// the code (SERVICE_UNAVAILABLE unless it is DATABASE_UNAVAILABLE); no refusal the check routes
// make comes near it.
const ERROR_HEADER_MAX = 2048;

/** JSON with every character past ASCII escaped: still the same JSON, and a valid header value. */
const headerSafeJson = (value: unknown) =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * For the routes nginx asks before it reads an upload (auth_request, which passes on headers
 * only): a refusal's whole JSON goes in X-Error-Body too, for nginx to answer with it.
 */
export const errorsInHeaders: RequestHandler = (_req, res, next) => {
  res.locals.errorInHeaders = true;
  next();
};
