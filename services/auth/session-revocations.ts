import { config } from '../../config/index.js';
import { logger } from '../../utils/logger.js';
import type { RedisClient } from '../redis.service.js';

/**
 * Sessions ended while their access tokens are still unexpired. Access tokens are checked
 * without the database, so an ended session would otherwise keep working for up to
 * ACCESS_TOKEN_TTL_SECONDS; every process keeps the ended ids for that long (Redis
 * pub/sub tells the others) and refuses their tokens at once.
 */
const CHANNEL = 'sessions:revoked';
const ended = new Map<string, number>();
let publish: ((sessionId: string) => void) | undefined;

function remember(sessionId: string): void {
  ended.set(sessionId, Date.now() + config.auth.accessTtlSeconds * 1000);
  if (ended.size > 50_000) {
    const now = Date.now();
    for (const [id, until] of ended) if (until < now) ended.delete(id);
  }
}

export function noteSessionEnded(sessionId: string): void {
  remember(sessionId);
  publish?.(sessionId);
}

export function isSessionEnded(sessionId: string): boolean {
  const until = ended.get(sessionId);
  if (until === undefined) return false;
  if (until >= Date.now()) return true;
  ended.delete(sessionId);
  return false;
}

/** Shares ended sessions with the other processes on this Redis; returns a function that stops it. */
export async function shareSessionEnds(redis: RedisClient): Promise<() => Promise<void>> {
  const sub = redis.duplicate();
  sub.on('error', (err: Error) => logger.error('session revocation subscriber error', { error: err.message }));
  await sub.connect();
  await sub.subscribe(CHANNEL, (sessionId) => remember(sessionId));
  publish = (sessionId) => void redis.publish(CHANNEL, sessionId).catch(() => undefined);
  return async () => {
    publish = undefined;
    if (sub.isOpen) await sub.close();
  };
}
