import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import supertest from 'supertest';
import { createApp } from '../../app.js';
import { createAppServer } from '../../http-server.js';
import { config } from '../../config/index.js';
import { flushAnalytics } from '../../services/analytics/record.js';
import { flushConversationTails } from '../../services/chat/conversation-tail.js';
import { startMediaPipeline, type MediaPipeline } from '../../services/posts/media-queue.js';
import { startRuntimeSettings, stopRuntimeSettings } from '../../services/runtime-settings.service.js';
import { startMessageNoticeChecks, stopMessageNoticeChecks } from '../../services/notifications/message-notice.js';
import { closeRedis, connectRedis, type RedisClient } from '../../services/redis.service.js';
import { watchProcessState } from '../../services/metrics.service.js';
import { createStorageProvider } from '../../services/storage/storage.service.js';

export const ORIGIN = 'http://app.test';

let app: Express | undefined;
let served: { server: Server; url: string } | undefined;
let redis: RedisClient | undefined;
let media: MediaPipeline | undefined;

/** One app for the whole run, on Redis when REDIS_URL is set (as in CI), else in memory. */
export async function testApp(): Promise<Express> {
  if (!app) {
    redis = config.redisUrl ? await connectRedis(config.redisUrl) : undefined;
    // Post media are processed by a worker in this process: BullMQ on Redis when configured (CI), else in memory.
    const storage = createStorageProvider(config.storage);
    media = startMediaPipeline({ media: config.media, redisUrl: config.redisUrl }, storage, true);
    app = createApp({ config, redis, storage, media: media.queue });
    watchProcessState({ redis, media: media.queue });
    // As server.ts: this process makes the message notice checks that fall due.
    startMessageNoticeChecks();
    await startRuntimeSettings();
  }
  return app;
}

/** The run's app on a port, on the server class server.ts uses (createAppServer). */
async function servedApp() {
  if (!served) {
    const server = createAppServer(await testApp());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    served = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }
  return served.url;
}

export async function api() {
  return supertest(await servedApp());
}

export async function closeTestApp(): Promise<void> {
  if (served) {
    served.server.closeAllConnections();
    await new Promise((resolve) => served!.server.close(resolve));
    served = undefined;
  }
  await media?.close();
  media = undefined;
  stopMessageNoticeChecks();
  stopRuntimeSettings();
  await Promise.all([flushAnalytics(), flushConversationTails()]);
  await closeRedis(redis);
  redis = undefined;
  app = undefined;
}

let ipCounter = 0;
/**
 * A fresh client address per call, so per-IP limits of one test never touch another: 65,536
 * per process before one comes back (the hostile-input sweep alone takes thousands; with 250,
 * its sign-in attempts used up the login budget of addresses later tests were given).
 */
export const freshIp = () => {
  const n = ++ipCounter;
  return `10.${process.pid & 255}.${(n >> 8) & 255}.${n & 255}`;
};

/** The run's media queue (posts' jobs), for tests that enqueue a prepared post themselves. */
export async function testMediaQueue() {
  await testApp();
  return media!.queue;
}
