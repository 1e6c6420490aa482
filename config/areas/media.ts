import { z } from 'zod';
import { bool, defineArea, int } from '../env-rules.js';

/** The video worker: ffmpeg, how many jobs at once, retries, and its queue. */
export const media = defineArea({
  vars: {
    FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
    FFPROBE_PATH: z.string().min(1).default('ffprobe'),
    MEDIA_WORKER: bool(true),
    MEDIA_WORKER_CONCURRENCY: int(1, 1, 32),
    MEDIA_JOB_ATTEMPTS: int(3, 1, 20),
    MEDIA_JOB_BACKOFF_MS: int(10_000, 10, 3_600_000),
    MEDIA_JOB_TIMEOUT_MINUTES: int(30, 1, 1440),
    MEDIA_QUEUE_PREFIX: z.string().min(1).default('bull'),
  },
  settings: (e) => ({
    media: {
      ffmpeg: e.FFMPEG_PATH,
      ffprobe: e.FFPROBE_PATH,
      worker: e.MEDIA_WORKER,
      concurrency: e.MEDIA_WORKER_CONCURRENCY,
      attempts: e.MEDIA_JOB_ATTEMPTS,
      backoffMs: e.MEDIA_JOB_BACKOFF_MS,
      stuckAfterMs: e.MEDIA_JOB_TIMEOUT_MINUTES * 60_000,
      queuePrefix: e.MEDIA_QUEUE_PREFIX,
    },
  }),
});
