import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../../config/index.js';
import { errorMessage, logger } from '../../utils/logger.js';
import type { StorageProvider } from '../storage/storage.provider.js';
import { failPost, failStuckPosts, processPostMedia } from './media-processor.js';
import { MediaRejected } from './video.js';

/** Where posts' media jobs go: BullMQ on Redis, or (no Redis: development) this process. */
export interface MediaQueue {
  enqueue(postId: string): Promise<void>;
  close(): Promise<void>;
}

const QUEUE = 'post-media';

export interface MediaSettings {
  media: Config['media'];
  redisUrl?: string;
}

/**
 * One job's run. A file that is the problem (unreadable, too long) fails the post at
 * once; anything else (storage down, a worker killed) is retried with backoff, and the
 * post fails only when the last attempt does.
 */
async function runJob(postId: string, storage: StorageProvider, lastAttempt: boolean): Promise<void> {
  try {
    await processPostMedia(postId, storage);
  } catch (err) {
    if (err instanceof MediaRejected) {
      await failPost(postId, err.reason);
      throw new UnrecoverableError(err.reason);
    }
    logger.warn('media job failed', { postId, lastAttempt, error: errorMessage(err) });
    if (lastAttempt) await failPost(postId, 'processing_failed');
    throw err;
  }
}

class BullMediaQueue implements MediaQueue {
  private readonly connection: Redis;
  private readonly queue: Queue;

  constructor(private readonly settings: MediaSettings & { redisUrl: string }) {
    this.connection = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
    this.queue = new Queue(QUEUE, { connection: this.connection, prefix: settings.media.queuePrefix });
  }

  async enqueue(postId: string): Promise<void> {
    // The post id is the job id: a second enqueue of the same post is a no-op.
    await this.queue.add(
      'process',
      { postId },
      {
        jobId: postId,
        attempts: this.settings.media.attempts,
        backoff: { type: 'exponential', delay: this.settings.media.backoffMs },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
      },
    );
  }

  startWorker(storage: StorageProvider): Worker {
    const worker = new Worker<{ postId: string }>(
      QUEUE,
      (job) => runJob(job.data.postId, storage, job.attemptsMade + 1 >= (job.opts.attempts ?? 1)),
      {
        connection: new Redis(this.settings.redisUrl, { maxRetriesPerRequest: null }),
        prefix: this.settings.media.queuePrefix,
        concurrency: this.settings.media.concurrency,
        // A worker that dies mid-job leaves it stalled: retried once, then failed (and the sweeper fails its post).
        maxStalledCount: 1,
      },
    );
    worker.on('error', (err) => logger.error('media worker error', { error: err.message }));
    return worker;
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.connection.quit().catch(() => undefined);
  }
}

/** Development without Redis: jobs run here, one at a time, retried with the same backoff. */
class InProcessMediaQueue implements MediaQueue {
  private storage?: StorageProvider;
  private readonly waiting: { postId: string; attempt: number }[] = [];
  private running = 0;
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly settings: MediaSettings) {}

  startWorker(storage: StorageProvider): void {
    this.storage = storage;
    this.pump();
  }

  enqueue(postId: string): Promise<void> {
    this.waiting.push({ postId, attempt: 1 });
    this.pump();
    return Promise.resolve();
  }

  private pump(): void {
    while (!this.closed && this.storage && this.running < this.settings.media.concurrency && this.waiting.length) {
      const job = this.waiting.shift()!;
      const storage = this.storage;
      this.running++;
      const last = job.attempt >= this.settings.media.attempts;
      void runJob(job.postId, storage, last)
        .catch((err: unknown) => {
          if (last || err instanceof UnrecoverableError || this.closed) return;
          const timer = setTimeout(
            () => {
              this.timers.delete(timer);
              this.waiting.push({ postId: job.postId, attempt: job.attempt + 1 });
              this.pump();
            },
            this.settings.media.backoffMs * 2 ** (job.attempt - 1),
          );
          this.timers.add(timer);
        })
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    return Promise.resolve();
  }
}

export interface MediaPipeline {
  queue: MediaQueue;
  /** Stops taking jobs, lets running ones finish, closes connections. */
  close(): Promise<void>;
}

/**
 * The queue posts enqueue into and, where this process works jobs (MEDIA_WORKER), a worker
 * and the sweeper that fails posts whose job got stuck.
 */
export function startMediaPipeline(settings: MediaSettings, storage: StorageProvider, withWorker: boolean): MediaPipeline {
  const sweepEvery = Math.min(60_000, Math.max(1000, settings.media.stuckAfterMs / 4));
  if (settings.redisUrl) {
    const queue = new BullMediaQueue({ ...settings, redisUrl: settings.redisUrl });
    const worker = withWorker ? queue.startWorker(storage) : undefined;
    const sweeper = withWorker ? setInterval(() => void sweep(settings), sweepEvery).unref() : undefined;
    return {
      queue,
      close: async () => {
        clearInterval(sweeper);
        await worker?.close();
        await queue.close();
      },
    };
  }
  if (!withWorker) logger.warn('MEDIA_WORKER=false without REDIS_URL: nothing will process post media');
  const queue = new InProcessMediaQueue(settings);
  if (withWorker) queue.startWorker(storage);
  const sweeper = withWorker ? setInterval(() => void sweep(settings), sweepEvery).unref() : undefined;
  return {
    queue,
    close: async () => {
      clearInterval(sweeper);
      await queue.close();
    },
  };
}

async function sweep(settings: MediaSettings): Promise<void> {
  await failStuckPosts(new Date(Date.now() - settings.media.stuckAfterMs)).catch((err: unknown) =>
    logger.error('media sweep failed', { error: errorMessage(err) }),
  );
}
