import { gaugeFrom } from '../utils/metrics.js';
import type { MediaQueue } from './posts/media-queue.js';
import type { RedisClient } from './redis.service.js';
import { databaseState } from './database.service.js';

/** The process's dependencies as gauges read at scrape time: database, Redis, media queue. */
export function watchProcessState({ redis, media }: { redis?: RedisClient; media: MediaQueue }): void {
  // 1 connected, 0 disconnected, 2 connecting, 3 disconnecting (mongoose's states).
  gaugeFrom('database_state', 'MongoDB connection state (1 connected)', databaseState);
  gaugeFrom('redis_up', 'Redis connection ready (1), or not configured (-1)', () => (redis ? Number(redis.isReady) : -1));
  gaugeFrom('media_queue_depth', 'Post and chat media jobs waiting or running', () => media.depth());
}
