import { createClient, ErrorReply } from 'redis';
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

/** How long a bounded command waits for Redis by default (node-redis's own timeout covers only unsent ones). */
const DEFAULT_WAIT_MS = 5000;
/** How often a gated command is let through to a Redis that failed lately, to learn it answers again. */
const PROBE_EVERY_MS = 1000;
/** An answer within this says Redis is well again; a slower one leaves it in doubt (no flapping on a slow Redis). */
const HEALTHY_ANSWER_MS = 500;
// Error replies that say Redis cannot serve now (loading its data, a script running away,
// a replica cut off or read-only after a failover): failures. Any other error reply is an
// answer (a NOSCRIPT after a restart, a bug's script error): Redis is there.
const UNSERVED_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM|MISCONF|NOREPLICAS)\b/;

/**
 * What a command's failure says of Redis: away or stalled (no answer, a lost connection, a
 * reply that it cannot serve), there (it answered with an error), or nothing (our own bug: an
 * argument the client could not encode).
 */
function failureKind(err: unknown): 'outage' | 'answer' | 'ours' {
  if (err instanceof ErrorReply) return UNSERVED_REPLY.test(err.message) ? 'outage' : 'answer';
  return err instanceof TypeError || err instanceof RangeError ? 'ours' : 'outage';
}

/** Whether a failed bounded command failed for Redis being away, stalled or unable to serve. */
export const isRedisOutage = (err: unknown) => failureKind(err) === 'outage';

/** Refused before it was sent: the client is not connected, or Redis failed lately and the probe's turn is not due. */
export class RedisRefusedError extends Error {
  constructor() {
    super('redis unavailable: refused before sending');
  }
}

/**
 * Which commands go through to a Redis in doubt: `probe` ones are refused at once while the
 * client is not connected and, after a command failed or timed out, let through one a second
 * (the first to answer within HEALTHY_ANSWER_MS ends the spell); `connected` ones only while connected; `always` ones
 * are sent whatever (a heartbeat, which is a probe too).
 */
export type RedisGate = 'probe' | 'connected' | 'always';

/**
 * Commands to one Redis client, each given up after its wait: node-redis never times out a
 * command it has written, so a Redis that stops answering on an open connection would hold
 * each (and whoever awaits it) for ever, and every new one would queue behind. What one user
 * of the client learns (Redis stalled, Redis answers again) holds for all of them. A command
 * given up on may still run later, in order with what follows it on the connection.
 */
class BoundedRedis {
  private suspect = false;
  private nextProbeAt = 0;

  constructor(readonly client: RedisClient) {}

  async call<T>(
    command: (client: RedisClient) => Promise<T>,
    { gate = 'probe', waitMs = DEFAULT_WAIT_MS }: { gate?: RedisGate; waitMs?: number } = {},
  ): Promise<T> {
    this.admit(gate);
    const sentAt = Date.now();
    try {
      const answer = command(this.client);
      const value = await withTimeout(answer, waitMs);
      this.answered(sentAt);
      return value;
    } catch (err) {
      const kind = failureKind(err);
      if (kind === 'answer') {
        this.answered(sentAt);
      } else if (kind === 'outage') {
        this.suspect = true;
        this.nextProbeAt = Date.now() + PROBE_EVERY_MS;
      }
      throw err;
    }
  }

  private answered(sentAt: number): void {
    if (Date.now() - sentAt <= HEALTHY_ANSWER_MS) this.suspect = false;
  }

  private admit(gate: RedisGate): void {
    if (gate === 'always') return;
    if (!this.client.isReady) throw new RedisRefusedError();
    if (gate === 'connected' || !this.suspect) return;
    if (Date.now() < this.nextProbeAt) throw new RedisRefusedError();
    this.nextProbeAt = Date.now() + PROBE_EVERY_MS;
  }
}

export type { BoundedRedis };

const boundedClients = new WeakMap<RedisClient, BoundedRedis>();

/** The client's one BoundedRedis, shared by every store on it. */
export function boundedRedis(client: RedisClient): BoundedRedis {
  let bounded = boundedClients.get(client);
  if (!bounded) boundedClients.set(client, (bounded = new BoundedRedis(client)));
  return bounded;
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
