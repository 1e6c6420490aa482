import { createHash } from 'node:crypto';
import { ErrorReply } from 'redis';
import type { RedisReply } from 'rate-limit-redis';
import { boundedRedis, type RedisClient } from '../redis.service.js';

/** How long a limiter's counter may take: a Redis that does not answer must not hold requests. */
export const LIMITER_WAIT_MS = 1000;

/**
 * The commands of rate-limit-redis, its scripts kept here. It loads each script once (SCRIPT
 * LOAD) and keeps that promise: a load that failed (Redis away at start-up, refused while in
 * doubt) broke its limiter until a restart, and so did a script Redis lost (a restart, a
 * flush) when a fail-closed store's error hid the NOSCRIPT it reloads on. Here a load is
 * answered with the script's SHA-1 without asking Redis, and an EVALSHA of a script Redis
 * does not hold is sent again whole (EVAL).
 */
function withScriptsKept(send: (args: string[]) => Promise<RedisReply>) {
  const scripts = new Map<string, string>();
  return async (args: string[]): Promise<RedisReply> => {
    const [command, sub, body] = args;
    if (command === 'SCRIPT' && sub === 'LOAD' && body !== undefined) {
      const sha = createHash('sha1').update(body).digest('hex');
      scripts.set(sha, body);
      return sha;
    }
    if (command !== 'EVALSHA') return send(args);
    try {
      return await send(args);
    } catch (err) {
      const script = scripts.get(args[1]!);
      if (!script || !(err instanceof ErrorReply && err.message.startsWith('NOSCRIPT'))) throw err;
      return send(['EVAL', script, ...args.slice(2)]);
    }
  };
}

/**
 * The commands express-rate-limit's Redis stores send: bounded (refused at once while Redis
 * is in doubt, but one a second that probes), their scripts kept here.
 */
export function limiterCommands(redis: RedisClient): (args: string[]) => Promise<RedisReply> {
  const bounded = boundedRedis(redis);
  return withScriptsKept((args) =>
    bounded.call((client) => client.sendCommand(args) as Promise<RedisReply>, { waitMs: LIMITER_WAIT_MS }),
  );
}
