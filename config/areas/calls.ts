import { z } from 'zod';
import { csv, defineArea, int } from '../env-rules.js';

// A public STUN server, enough for development; production names its own (and TURN).
const DEV_STUN_URLS = ['stun:stun.l.google.com:19302'];

/** Random matching and calls: response and ring timeouts, cool-down, ICE servers. */
export const calls = defineArea({
  vars: {
    CALL_RING_TIMEOUT_MS: int(30_000, 200, 300_000),
    MATCH_RESPONSE_MS: int(20_000, 200, 300_000),
    MATCH_COOLDOWN_MINUTES: int(60, 0, 43_200),
    MATCH_ROUND_MS: int(250, 20, 10_000),
    // The adaptive ranking: off (explicit), on, or an A/B split by user; and its share of the score.
    MATCHING_MODE: z.enum(['explicit', 'adaptive', 'ab']).default('adaptive'),
    MATCHING_BLEND: z.coerce.number().min(0).max(1).default(0.8),
    TASTE_LEARN_MS: int(5000, 50, 600_000),
    STUN_URLS: csv,
    TURN_URLS: csv,
    TURN_SECRET: z.string().min(16).optional(),
    TURN_TTL_SECONDS: int(3600, 60, 86_400),
  },
  check: (e) =>
    e.TURN_URLS.length && !e.TURN_SECRET ? ['TURN_SECRET: required with TURN_URLS (coturn static-auth-secret)'] : [],
  settings: (e) => ({
    match: {
      responseMs: e.MATCH_RESPONSE_MS,
      coolDownMs: e.MATCH_COOLDOWN_MINUTES * 60_000,
      roundMs: e.MATCH_ROUND_MS,
      mode: e.MATCHING_MODE,
      blend: e.MATCHING_BLEND,
      // How often the learner applies queued signals (one process at a time).
      learnMs: e.TASTE_LEARN_MS,
    },
    calls: {
      ringTimeoutMs: e.CALL_RING_TIMEOUT_MS,
      stunUrls: e.STUN_URLS.length ? e.STUN_URLS : DEV_STUN_URLS,
      turnUrls: e.TURN_URLS,
      turnSecret: e.TURN_SECRET,
      turnTtlSeconds: e.TURN_TTL_SECONDS,
    },
  }),
});
