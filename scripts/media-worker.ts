/**
 * A media worker on its own (npm run media-worker; in production dist/scripts/media-worker.js,
 * or the devtinder-media app in ecosystem.config.cjs): works posts' media jobs from the
 * BullMQ queue, so ffmpeg never competes with the web processes (run those with
 * MEDIA_WORKER=false). Needs REDIS_URL: the queue lives there, and post:ready reaches the
 * authors' sockets through the web servers' Redis adapter.
 */
import { config } from '../config/index.js';
import { connectDatabase, disconnectDatabase } from '../services/database.service.js';
import { startMediaPipeline } from '../services/posts/media-queue.js';
import { closeRedis, connectRedis } from '../services/redis.service.js';
import { createStorageProvider } from '../services/storage/storage.service.js';
import { registerEmitterSink } from '../sockets/emitter.js';
import { configureLogger, logger } from '../utils/logger.js';

configureLogger(config.logLevel);
if (!config.redisUrl || !config.db.uri) {
  logger.error('the media worker needs REDIS_URL (the queue) and MONGODB_URI');
  process.exit(1);
}
await connectDatabase({ uri: config.db.uri, serverSelectionTimeoutMs: config.db.serverSelectionTimeoutMs });
const redis = await connectRedis(config.redisUrl);
const unregister = registerEmitterSink(redis);
const media = startMediaPipeline({ media: config.media, redisUrl: config.redisUrl }, createStorageProvider(config.storage), true);
logger.info('media worker started', { concurrency: config.media.concurrency });

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info('media worker stopping', { signal });
  // The running job finishes; BullMQ gives waiting ones to the next worker.
  await media.close();
  unregister();
  await closeRedis(redis);
  await disconnectDatabase();
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
