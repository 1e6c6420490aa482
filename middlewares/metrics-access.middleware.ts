import type { RequestHandler } from 'express';
import { safeEqual } from '../utils/crypto.js';
import { notFoundHandler } from './error.middleware.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const FORWARDED = ['x-forwarded-for', 'x-real-ip', 'forwarded'];

/**
 * /metrics is for the scraper, never the public. A request nginx forwarded (it always adds
 * X-Forwarded-For) is answered as if the path did not exist, token or not: the internet
 * gets no door to guess METRICS_TOKEN at. A direct one passes from loopback, or from
 * another host (a Prometheus on the private network) with METRICS_TOKEN as a Bearer token.
 */
export function metricsAccess(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (FORWARDED.some((h) => req.headers[h] !== undefined)) return notFoundHandler(req, res, next);
    if (LOOPBACK.has(req.socket.remoteAddress ?? '')) return next();
    const auth = req.get('authorization');
    if (token && auth?.startsWith('Bearer ') && safeEqual(auth.slice(7), token)) return next();
    notFoundHandler(req, res, next);
  };
}
