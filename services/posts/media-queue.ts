import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../../config/index.js';
import { AppError } from '../../utils/app-error.js';
import { errorMessage, logger } from '../../utils/logger.js';
import type { StorageProvider } from '../storage/storage.provider.js';
import { failPost, failStuckPosts, processPostMedia } from './media-processor.js';
import { MediaRejected } from './video.js';
import { failChatAttachment, failStuckChatAttachments, processChatAttachment } from '../chat/attachment-processor.js';
import { reapDroppedAttachments } from '../chat/attachment.service.js';

/** A media job: a post's uploads, or one chat attachment. */
export type MediaJob = { postId: string } | { attachmentId: string };

/** Where media jobs go: BullMQ on Redis, or (no Redis: development) this process. */
export interface MediaQueue {
  enqueue(job: MediaJob): Promise<void>;
  /** Jobs waiting or running, for the metrics. */
  depth(): Promise<number>;
  close(): Promise<void>;
}

/** Without a media pipeline: posting answers 503 (apps assembled without one, the docs tests). */
export const noMediaQueue: MediaQueue = {
  enqueue: () => Promise.reject(new AppError('MEDIA_QUEUE_UNAVAILABLE', 'Media processing is not running')),
  depth: () => Promise.resolve(0),
  close: () => Promise.resolve(),
};

/** Takes every job and runs none: for callers that process the media themselves (the seed). */
export const heldMediaQueue: MediaQueue = {
  enqueue: () => Promise.resolve(),
  depth: () => Promise.resolve(0),
  close: () => Promise.resolve(),
};

// One job per post or attachment: its id names the job, so a second enqueue is a no-op.
const jobIdOf = (job: MediaJob) => ('postId' in job ? job.postId : `chat-${job.attachmentId}`);
const describe = (job: MediaJob) => ('postId' in job ? { postId: job.postId } : { attachmentId: job.attachmentId });

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
async function runJob(job: MediaJob, storage: StorageProvider, lastAttempt: boolean): Promise<void> {
  const fail = (reason: string) =>
    'postId' in job ? failPost(job.postId, reason) : failChatAttachment(job.attachmentId, reason);
  try {
    if ('postId' in job) await processPostMedia(job.postId, storage);
    else await processChatAttachment(job.attachmentId, storage);
  } catch (err) {
    if (err instanceof MediaRejected) {
      await fail(err.reason);
      throw new UnrecoverableError(err.reason);
    }
    logger.warn('media job failed', { ...describe(job), lastAttempt, error: errorMessage(err) });
    if (lastAttempt) await fail('processing_failed');
    throw err;
  }
}

class BullMediaQueue implements MediaQueue {
  private readonly connection: Redis;
  private readonly queue: Queue;

  constructor(private readonly settings: MediaSettings & { redisUrl: string }) {
    this.connection = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
    this.queue = new Queue(QUEUE, { connection: this.connection, prefix: settings.media.queuePrefix });
    // Redis going away is logged (it reconnects by itself), never an unhandled 'error' event.
    this.queue.on('error', (err) => logger.warn('media queue error', { error: err.message }));
  }

  async enqueue(job: MediaJob): Promise<void> {
    await this.queue.add('process', job, {
      jobId: jobIdOf(job),
      attempts: this.settings.media.attempts,
      backoff: { type: 'exponential', delay: this.settings.media.backoffMs },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    });
  }

  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  startWorker(storage: StorageProvider): Worker {
    const worker = new Worker<MediaJob>(
      QUEUE,
      (job) => runJob(job.data, storage, job.attemptsMade + 1 >= (job.opts.attempts ?? 1)),
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
  private readonly waiting: { job: MediaJob; attempt: number }[] = [];
  private running = 0;
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly settings: MediaSettings) {}

  startWorker(storage: StorageProvider): void {
    this.storage = storage;
    this.pump();
  }

  depth(): Promise<number> {
    return Promise.resolve(this.waiting.length + this.running + this.timers.size);
  }

  enqueue(job: MediaJob): Promise<void> {
    this.waiting.push({ job, attempt: 1 });
    this.pump();
    return Promise.resolve();
  }

  private pump(): void {
    while (!this.closed && this.storage && this.running < this.settings.media.concurrency && this.waiting.length) {
      const next = this.waiting.shift()!;
      const storage = this.storage;
      this.running++;
      const last = next.attempt >= this.settings.media.attempts;
      void runJob(next.job, storage, last)
        .catch((err: unknown) => {
          if (last || err instanceof UnrecoverableError || this.closed) return;
          const timer = setTimeout(
            () => {
              this.timers.delete(timer);
              this.waiting.push({ job: next.job, attempt: next.attempt + 1 });
              this.pump();
            },
            this.settings.media.backoffMs * 2 ** (next.attempt - 1),
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
    const sweeper = withWorker ? setInterval(() => void sweep(settings, storage), sweepEvery).unref() : undefined;
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
  const sweeper = withWorker ? setInterval(() => void sweep(settings, storage), sweepEvery).unref() : undefined;
  return {
    queue,
    close: async () => {
      clearInterval(sweeper);
      await queue.close();
    },
  };
}

/**
 * Jobs that got stuck fail (a worker died, the queue lost them); chat attachments of deleted
 * messages, and uploads never sent, are deleted with their objects.
 */
async function sweep(settings: MediaSettings, storage: StorageProvider): Promise<void> {
  const startedBefore = new Date(Date.now() - settings.media.stuckAfterMs);
  await Promise.all([
    failStuckPosts(startedBefore),
    failStuckChatAttachments(startedBefore),
    reapDroppedAttachments(storage),
  ]).catch((err: unknown) => logger.error('media sweep failed', { error: errorMessage(err) }));
}
