import type { RequestHandler } from 'express';
import { safeEqual } from '../utils/crypto.js';
import { notFoundHandler } from './error.middleware.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const FORWARDED = ['x-forwarded-for', 'x-real-ip', 'forwarded'];

/**
 * /metrics is for the scraper, never the public: a request nginx forwarded (it always adds
 * X-Forwarded-For) or one from another host is answered as if the path did not exist,
 * unless it carries METRICS_TOKEN (a Prometheus on another host scrapes with it).
 */
export function metricsAccess(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    const auth = req.get('authorization');
    if (token && auth?.startsWith('Bearer ') && safeEqual(auth.slice(7), token)) return next();
    const direct = FORWARDED.every((h) => req.headers[h] === undefined);
    if (direct && LOOPBACK.has(req.socket.remoteAddress ?? '')) return next();
    notFoundHandler(req, res, next);
  };
}
