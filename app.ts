import express, { type Express } from 'express';
import type { Config } from './config/index.js';
import { API_PREFIX } from './config/constants.js';
import { identifyCaller } from './middlewares/auth.middleware.js';
import { lazyCookies } from './middlewares/cookies.middleware.js';
import { crossOriginRequests } from './middlewares/cors.middleware.js';
import { csrfProtection } from './middlewares/csrf.middleware.js';
import { requireDatabase } from './middlewares/database.middleware.js';
import { errorHandler, notFoundHandler } from './middlewares/error.middleware.js';
import { inSeries } from './middlewares/in-series.js';
import { jsonBodies } from './middlewares/json-body.middleware.js';
import { directJsonResponses } from './middlewares/json-response.js';
import { createRateLimiters } from './middlewares/rate-limit.middleware.js';
import { accessLog, lazyRequestLog, rememberRouteOnError, requestContext } from './middlewares/request-context.middleware.js';
import { rejectMalformedTarget, rejectUnsafeInput, rejectRepeatedQuery } from './middlewares/sanitize.middleware.js';
import { notStored, securityHeaders } from './middlewares/security-headers.middleware.js';
import { docsRoutes } from './routes/docs.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { metricsRoutes } from './routes/metrics.routes.js';
import { mediaLinkRoutes, mediaRoutes } from './routes/media.routes.js';
import { paymentWebhookRoute } from './routes/payment.routes.js';
import { webAppRoutes, webContentSecurityPolicy } from './routes/web.routes.js';
import { apiRouters, type MountedRouter, type RouterDeps } from './routes/index.js';
import { mountBySegment } from './routes/mount-by-segment.js';
import type { ActionLimiter } from './services/limits/action-limiter.js';
import { noMediaQueue, type MediaQueue } from './services/posts/media-queue.js';
import type { RedisClient } from './services/redis.service.js';
import { RedisSequenceStore, useSequenceStore } from './services/chat/message-sequence.js';
import { RedisUploadTakeStore, useUploadTakeStore } from './services/uploads/upload-takes.store.js';
import { LocalStorageProvider } from './services/storage/local.provider.js';
import { createStorageProvider } from './services/storage/storage.service.js';
import type { StorageProvider } from './services/storage/storage.provider.js';

export interface AppDeps {
  config: Config;
  /** Shared rate-limit counters across processes; memory when absent. */
  redis?: RedisClient;
  /** Where pictures go; the one config names when absent. */
  storage?: StorageProvider;
  /** Where new posts' media jobs go; without one, posting answers 503 (server.ts and the tests give one). */
  media?: MediaQueue;
  /** Per-account and per-address budgets shared with the socket server; built from config when absent. */
  actions?: ActionLimiter;
  /** The routers under /api/v1; the benchmarks add one of their own. */
  routers?: (deps: RouterDeps) => MountedRouter[];
}

/** Express's ETag for a res.send body: none (see createApp). */
const noBodyETag = (): undefined => undefined;

/** Builds the Express app; never listens (server.ts and the tests do). */
export function createApp({
  config,
  redis,
  storage = createStorageProvider(config.storage),
  media = noMediaQueue,
  actions,
  routers = apiRouters,
}: AppDeps): Express {
  // Message numbers, sent over HTTP or the socket: with Redis one counter per conversation for
  // every process (else this process's, in memory).
  if (redis) useSequenceStore(new RedisSequenceStore(redis, `${config.limits.prefix}chatseq:`));
  // What upload checks took, given back by whichever process nginx asks (else this process's).
  if (redis) useUploadTakeStore(new RedisUploadTakeStore(redis, `${config.limits.prefix}uploadtake:`));
  const app = express();
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  // No ETag from res.send/res.json anywhere: the API's answers are never stored (notStored),
  // so no client can revalidate one, and hashing every body for it is work for nothing; the
  // few other bodies (the API docs, HLS playlists, the dev checkout script) are small. A
  // function, not false: false would also take the ETag from sendFile (the web client's
  // index.html, revalidated at every load), whose mtime-only Last-Modified can miss a deploy.
  app.set('etag', noBodyETag);
  // Which lets res.json send a plain answer without Express's ETag and charset work.
  directJsonResponses(app);

  lazyRequestLog(app);
  lazyCookies(app);
  // What every request passes through, each group as one layer (inSeries): a layer of its own
  // per handler costs each request the router's matching and dispatch work for each.
  const cors = crossOriginRequests({
    origin: config.corsOrigins,
    credentials: true,
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
    maxAge: 600,
  });
  app.use(inSeries(requestContext, accessLog, securityHeaders(), cors, rejectMalformedTarget));
  // Razorpay's webhook reads its raw bytes, so it comes before the JSON parser.
  paymentWebhookRoute(app, API_PREFIX);
  app.use(inSeries(jsonBodies({ limit: config.bodyLimit }), rejectUnsafeInput));

  const limiters = createRateLimiters(config.limits, redis, actions);
  app.use(
    mountBySegment({
      prefix: API_PREFIX,
      // The caller is identified once here: every write then counts against its account and address.
      before: [
        notStored,
        rejectRepeatedQuery,
        requireDatabase,
        identifyCaller,
        csrfProtection(config.corsOrigins),
        limiters.writes,
      ],
      routers: routers({ limit: limiters, storage, media }),
      afterEach: rememberRouteOnError,
    }),
  );
  // After the API, which never reaches them (none is under /api/v1), so that its requests do not
  // pass over their layers: /api/openapi.json and the docs, probes, metrics, media files.
  healthRoutes(app);
  metricsRoutes(config.metricsToken, app);
  // rememberRouteOnError after each: an error's metrics label is its route, base path included.
  app.use('/media/s', mediaLinkRoutes(storage), rememberRouteOnError);
  // After /media/s: local pictures answer every other GET under /media themselves (no fall-through).
  if (storage instanceof LocalStorageProvider) app.use('/media', mediaRoutes(storage.root), rememberRouteOnError);
  app.use('/api', docsRoutes(), rememberRouteOnError);
  const web = webAppRoutes(config.webDir, webContentSecurityPolicy(config));
  if (web) app.use(web);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
