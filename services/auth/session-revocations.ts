import { config } from '../../config/index.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { withTimeout } from '../../utils/timeout.js';
import type { RedisClient } from '../redis.service.js';

/**
 * Sessions ended while their access tokens are still unexpired. Access tokens are checked
 * without the database, so an ended session would otherwise keep working for up to
 * ACCESS_TOKEN_TTL_SECONDS; every process keeps the ended ids for that long (Redis
 * pub/sub tells the others) and refuses their tokens at once. Redis also keeps them in a
 * sorted set by expiry, so a process started later (pm2 reload, a crash restart) learns
 * the ones still live before it serves.
 */
const CHANNEL = 'sessions:revoked';
const ENDED_SET = 'sessions:ended';
const SHARE_RETRY_MS = 250;
const SHARE_RETRY_MAX_MS = 5000;
const SHARE_LAST_TRY_MS = 2000;
const ended = new Map<string, number>();
let publish: ((sessionId: string, until: number) => void) | undefined;
const listeners = new Set<(sessionId: string) => void>();
let sweptAt = 0;

/**
 * Calls `listener` once for each session this process learns has ended, here or (through
 * Redis) in another process: the socket server closes the session's sockets. Returns a
 * function that stops it.
 */
export function onSessionEnded(listener: (sessionId: string) => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

function remember(sessionId: string, until = Date.now() + config.auth.accessTtlSeconds * 1000): void {
  const known = ended.has(sessionId);
  ended.set(sessionId, until);
  if (known) return;
  for (const listener of listeners) {
    try {
      listener(sessionId);
    } catch (err) {
      // One listener's failure must not keep the id from the others, nor stop a revocation.
      logger.error('ended-session listener failed', { error: errorMessage(err) });
    }
  }
  // Past 50,000 the lapsed ids are dropped, at most once a second: with that many still live,
  // a sweep on every new one would walk them all each time.
  if (ended.size > 50_000 && Date.now() - sweptAt > 1000) {
    const now = (sweptAt = Date.now());
    for (const [id, until] of ended) if (until < now) ended.delete(id);
  }
}

export function noteSessionEnded(sessionId: string): void {
  const until = Date.now() + config.auth.accessTtlSeconds * 1000;
  publish?.(sessionId, until);
  remember(sessionId, until);
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
  const learnStored = async () => {
    const now = Date.now();
    await redis.zRemRangeByScore(ENDED_SET, '-inf', now);
    const live = await redis.zRangeByScoreWithScores(ENDED_SET, now, '+inf');
    for (const { value, score } of live) remember(value, score);
  };
  // Back after losing Redis, the subscriber has missed what was published meanwhile: the
  // stored set tells it (the first 'ready' is the start, read below).
  let started = false;
  sub.on('ready', () => {
    if (started) learnStored().catch((err: unknown) => logger.warn('ended sessions not reloaded', { error: errorMessage(err) }));
  });
  await sub.connect();
  await sub.subscribe(CHANNEL, (sessionId) => remember(sessionId));
  // Subscribed first, then the ones ended before this process started: none falls between.
  await learnStored();
  started = true;
  const sharing = endSharer(redis);
  publish = (sessionId, until) => {
    // The set holds only ids whose tokens could still be live.
    void redis.zRemRangeByScore(ENDED_SET, '-inf', Date.now()).catch(() => undefined);
    sharing.share(sessionId, until);
  };
  return async () => {
    publish = undefined;
    await sharing.stop();
    if (sub.isOpen) await sub.close();
  };
}

/**
 * Stores and publishes ended sessions. Commands sent while Redis is away wait in the client's
 * queue, but those in flight when the connection drops fail: such an end is told again, later
 * each time (a retry waits in the queue in turn), until it is out or its tokens have expired
 * anyway. Else every other process would keep taking the session's access tokens till then.
 */
function endSharer(redis: RedisClient) {
  // Ends not known to be out, with the retry due for them.
  const unshared = new Map<string, { until: number; retry?: NodeJS.Timeout }>();
  let stopped = false;
  const send = (sessionId: string, until: number) =>
    Promise.all([redis.zAdd(ENDED_SET, { score: until, value: sessionId }), redis.publish(CHANNEL, sessionId)]);
  // One send and its retries per end: the same session ended again meanwhile (a replayed
  // logout) adds nothing, its first end's expiry already outlasts every token it issued.
  const share = (sessionId: string, until: number): void => {
    if (stopped || unshared.has(sessionId)) return;
    const end: { until: number; retry?: NodeJS.Timeout } = { until };
    unshared.set(sessionId, end);
    const attempt = (tries: number): void => {
      if (stopped) return;
      send(sessionId, until).then(
        () => void unshared.delete(sessionId),
        (err: unknown) => {
          if (stopped || until <= Date.now()) return void unshared.delete(sessionId);
          // The first failure, then about once a minute (retries every 5 s at most).
          if (tries % 12 === 0)
            logger.warn('ended session not yet shared: retrying', { sessionId, attempt: tries, error: errorMessage(err) });
          end.retry = setTimeout(() => attempt(tries + 1), Math.min(SHARE_RETRY_MS * 2 ** tries, SHARE_RETRY_MAX_MS));
          end.retry.unref();
        },
      );
    };
    attempt(0);
  };
  /** At shutdown: one last, brief try for the ends not yet out; those still not out are logged. */
  const stop = async () => {
    stopped = true;
    const left = [...unshared].filter(([, end]) => end.until > Date.now());
    for (const end of unshared.values()) clearTimeout(end.retry);
    unshared.clear();
    const tried = await Promise.allSettled(
      left.map(([sessionId, end]) => withTimeout(send(sessionId, end.until), SHARE_LAST_TRY_MS)),
    );
    const lost = tried.filter((r) => r.status === 'rejected').length;
    if (lost)
      logger.error('ended sessions never shared: other processes take their tokens until they expire', { sessions: lost });
  };
  return { share, stop };
}
