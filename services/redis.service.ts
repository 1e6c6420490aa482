import { createClient } from 'redis';
import { logger } from '../utils/logger.js';
import { withTimeout } from '../utils/timeout.js';

// No commandsQueueMaxLength, though nothing else caps what waits for a Redis that is away:
// node-redis (6.3) counts a MULTI's commands one by one against it, and a MULTI that meets the
// limit part way is written without its EXEC, leaving the connection inside the transaction
// (every later command on the client answers 'QUEUED'; tried on a client limited to 5).
/** The longest a client waits between two tries to reconnect. */
export const RECONNECT_MAX_MS = 2000;

const makeClient = (url: string) =>
  createClient({ url, socket: { reconnectStrategy: (retries: number) => Math.min(retries * 100, RECONNECT_MAX_MS) } });

export type RedisClient = ReturnType<typeof makeClient>;

/** Connects to Redis (shared rate limits, the Socket.IO adapter) when REDIS_URL is set. */
export async function connectRedis(url: string): Promise<RedisClient> {
  const client = makeClient(url);
  client.on('error', (err: Error) => logger.error('redis error', { error: err.message }));
  await client.connect();
  return client;
}

/** How long closing waits for the commands still pending to be answered. */
const CLOSE_WAIT_MS = 3000;

/**
 * Closes once the commands already sent are answered. With Redis gone (a shutdown during an
 * outage) that never happens and close() would wait for ever: a client not connected now is
 * dropped at once, and one connected but slow past CLOSE_WAIT_MS; what they held fails.
 */
export async function closeRedis(client: RedisClient | undefined): Promise<void> {
  if (!client?.isOpen) return;
  if (!client.isReady) return client.destroy();
  await withTimeout(client.close(), CLOSE_WAIT_MS).catch(() => client.destroy());
}
