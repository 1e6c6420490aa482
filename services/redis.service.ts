import { createClient } from 'redis';
import { logger } from '../utils/logger.js';

const makeClient = (url: string) =>
  createClient({ url, socket: { reconnectStrategy: (retries: number) => Math.min(retries * 100, 2000) } });

export type RedisClient = ReturnType<typeof makeClient>;

/** Connects to Redis (shared rate limits, the Socket.IO adapter) when REDIS_URL is set. */
export async function connectRedis(url: string): Promise<RedisClient> {
  const client = makeClient(url);
  client.on('error', (err: Error) => logger.error('redis error', { error: err.message }));
  await client.connect();
  return client;
}

export async function closeRedis(client: RedisClient | undefined): Promise<void> {
  if (client?.isOpen) await client.close();
}
