import proxyaddr from 'proxy-addr';
import { clientNetwork } from './utils/client-network.js';
import type { Socket } from 'node:net';
import { createApp } from './app.js';
import { createAppServer } from './http-server.js';
import { buildLiveParts, socketDeps } from './parts.js';
import { config } from './config/index.js';
import { scheduleAlerts } from './jobs/alerts.job.js';
import { scheduleCleanup } from './jobs/cleanup.job.js';
import { scheduleMembershipJob } from './jobs/membership.job.js';
import { scheduleSystemNotices } from './jobs/system-notices.job.js';
import { schedulePostJobs } from './jobs/posts.job.js';
import { connectDatabase, disconnectDatabase, startEmbeddedMongo } from './services/database.service.js';
import { watchProcessState } from './services/metrics.service.js';
import { recentIndex } from './services/feeds/recent-index.js';
import { startMediaPipeline } from './services/posts/media-queue.js';
import { flushAnalytics } from './services/analytics/record.js';
import { flushConversationTails } from './services/chat/conversation-tail.js';
import { shareSendAccessChanges } from './services/chat/send-access.js';
import { shareTypingState } from './services/chat/typing.service.js';
import { startTasteLearner, stopTasteLearner } from './services/match/taste/learner.js';
import { startRuntimeSettings, stopRuntimeSettings } from './services/runtime-settings.service.js';
import { startMessageNoticeChecks, stopMessageNoticeChecks } from './services/notifications/message-notice.js';
import { closeRedis, connectRedis } from './services/redis.service.js';
import { shareSessionEnds } from './services/auth/session-revocations.js';
import { createStorageProvider } from './services/storage/storage.service.js';
import { closeSocketServer, createSocketServer } from './sockets/index.js';
import { configureLogger, errorMessage, logger } from './utils/logger.js';
import { shutdownSteps } from './utils/shutdown-steps.js';

// What shutdown may take once connections are closed (SHUTDOWN_TIMEOUT_MS): the flushes, the
// media queue, the database and Redis. The two together stay under pm2's kill_timeout (15 s
// for the default 10 s). Each step has a bound of its own as well, so one that stalls does
// not take the others' time; with Redis stalled, the last steps (session ends, Redis) get
// what is left and are logged as cut short.
const AFTER_CONNECTIONS_MS = 4000;
// Closing the sockets' engine and adapter after their disconnect handling's deadline.
const SOCKETS_OVERRUN_MS = 500;
const FLUSH_MS = 1500;
// A media job still running is left to BullMQ's stalled-job recovery after this.
const MEDIA_CLOSE_MS = 1000;
const DATABASE_CLOSE_MS = 1000;

async function main() {
  configureLogger(config.logLevel);
  const embedded = config.db.uri ? undefined : await startEmbeddedMongo(config.db.embeddedDir);
  await connectDatabase({ uri: config.db.uri ?? embedded!.uri, serverSelectionTimeoutMs: config.db.serverSelectionTimeoutMs });
  const redis = config.redisUrl ? await connectRedis(config.redisUrl) : undefined;
  // Sessions ended in any process refuse their access tokens in every process at once.
  const stopSharingSessionEnds = redis ? await shareSessionEnds(redis) : undefined;
  // Who may send into which conversation is remembered per process; changes reach every process.
  const stopSharingSendAccess = redis ? await shareSendAccessChanges(redis, config.limits.prefix) : undefined;
  // Who is typing, so a stop heard by another process than the start is told.
  const stopSharingTyping = redis ? shareTypingState(redis, config.limits.prefix) : undefined;

  const storage = createStorageProvider(config.storage);
  // Post media jobs: BullMQ on Redis (or this process without Redis); worked here unless MEDIA_WORKER=false.
  const media = startMediaPipeline({ media: config.media, redisUrl: config.redisUrl }, storage, config.media.worker);
  // One set of action budgets, presence and queue for both doors: a message costs the same over HTTP or the socket.
  const parts = buildLiveParts(config, redis);
  const app = createApp({ config, redis, storage, media: media.queue, actions: parts.actions });
  // The database, Redis and the media queue as gauges on /metrics.
  watchProcessState({ redis, media: media.queue });
  // Message notices waiting in the database (from before a restart too) are checked here.
  startMessageNoticeChecks();
  // Every process offers to learn from queued matching signals; a lease lets one at a time.
  startTasteLearner();
  // Settings admins change at /admin/settings, seen here within RUNTIME_SETTINGS_POLL_MS.
  await startRuntimeSettings();
  // The For You index of recent posts loads in the background, not on the first viewer's request.
  void recentIndex().catch((err: unknown) => logger.warn('feed index not loaded yet', { error: String(err) }));
  const httpServer = createAppServer(app);
  // Express's own reading of TRUST_PROXY, for the sockets' client addresses too.
  const trustedProxies = app.get('trust proxy fn') as Parameters<typeof proxyaddr>[1];
  // Longer than nginx's keepalive so the proxy, not us, closes idle upstream connections.
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  const io = await createSocketServer(httpServer, {
    ...socketDeps(config, redis, parts),
    clientAddress: (req) => clientNetwork(proxyaddr(req, trustedProxies)),
  });
  const cleanup = config.jobs.enabled ? scheduleCleanup(config.jobs.cleanupCron, storage) : undefined;
  const alerts = config.jobs.enabled ? scheduleAlerts(config.alerts) : undefined;
  const memberships = config.jobs.enabled ? scheduleMembershipJob(config.payments.membershipCron) : undefined;
  const postJobs = config.jobs.enabled ? schedulePostJobs(config.jobs.postsCron) : undefined;
  const notices = config.jobs.enabled ? scheduleSystemNotices(config.jobs.noticesCron) : undefined;

  const sockets = new Set<Socket>();
  httpServer.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const address = httpServer.address();
  logger.info('listening', { port: typeof address === 'object' && address ? address.port : config.port, env: config.env });
  // pm2 (wait_ready) takes the next process down only after this one serves: a reload refuses nothing.
  process.send?.('ready');

  let stopping = false;
  async function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const step = shutdownSteps(Date.now() + config.shutdownTimeoutMs + AFTER_CONNECTIONS_MS);
    const force = setTimeout(() => {
      logger.warn('forcing open connections closed');
      for (const s of sockets) s.destroy();
    }, config.shutdownTimeoutMs);
    force.unref();
    // Stop accepting; in-flight requests finish; idle keep-alive connections close now.
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    cleanup?.stop();
    stopMessageNoticeChecks();
    stopRuntimeSettings();
    stopTasteLearner();
    notices?.stop();
    alerts?.stop();
    memberships?.stop();
    postJobs?.stop();
    // Sockets go first and their disconnect handling (presence, match tickets, calls) finishes
    // while the database and Redis are still there.
    await step('sockets', () => closeSocketServer(io, config.shutdownTimeoutMs), config.shutdownTimeoutMs + SOCKETS_OVERRUN_MS);
    await step('http', () => closed);
    // Counts still waiting (socket sessions ended just now among them), and the last sends'
    // tails: before anything that may stall on Redis.
    await step('flush', () => Promise.all([flushAnalytics(), flushConversationTails()]), FLUSH_MS);
    // Running media jobs finish first; BullMQ hands unfinished ones to another worker after a restart.
    await step('media', () => media.close(), MEDIA_CLOSE_MS);
    await step('database', () => disconnectDatabase(), DATABASE_CLOSE_MS);
    // After the database: a request still running past the forced close (its connection gone,
    // its handler not) can end a session only while the database answers. The ends not yet
    // shared then get their last try (2 s at most, and no later than the deadline).
    await step('session ends', () => stopSharingSessionEnds?.());
    await step('send access', () => stopSharingSendAccess?.());
    stopSharingTyping?.();
    await step('redis', () => closeRedis(redis));
    if (embedded) await step('embedded database', () => embedded.stop());
    logger.info('stopped');
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  logger.error('start-up failed', { error: errorMessage(err) });
  process.exit(1);
});
