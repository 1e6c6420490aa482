import { z } from 'zod';
import { defineArea, int } from '../env-rules.js';

/** MongoDB, Redis, and how many processes share them. */
export const database = defineArea({
  vars: {
    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// or mongodb+srv:// URI')
      .optional(),
    EMBEDDED_MONGO_DIR: z.string().min(1).default('.data/mongo'),
    DB_SERVER_SELECTION_TIMEOUT_MS: int(1000, 100, 60_000),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
      .optional(),
    // How many API processes run side by side (pm2 instances); above one, production needs REDIS_URL.
    APP_INSTANCES: int(1, 1, 1024),
    NODE_APP_INSTANCE: z.coerce.number().int().min(0).optional(),
  },
  check: (e, { production }) => {
    if (!production) return [];
    const problems = e.MONGODB_URI ? [] : ['MONGODB_URI: required in production'];
    // Limits, revocations, presence and the match queue would each be one process's alone.
    if (!e.REDIS_URL && (e.APP_INSTANCES > 1 || (e.NODE_APP_INSTANCE ?? 0) > 0)) {
      problems.push('REDIS_URL: required in production with more than one process (APP_INSTANCES, pm2 instances)');
    }
    return problems;
  },
  settings: (e) => ({
    db: {
      uri: e.MONGODB_URI,
      embeddedDir: e.EMBEDDED_MONGO_DIR,
      serverSelectionTimeoutMs: e.DB_SERVER_SELECTION_TIMEOUT_MS,
    },
    redisUrl: e.REDIS_URL,
  }),
});
