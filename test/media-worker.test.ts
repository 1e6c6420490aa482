import { Queue } from 'bullmq';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import supertest from 'supertest';
import { config } from '../config/index.js';
import { nextEvent } from './support/chat.js';
import { png } from './support/images.js';
import { runTs, startServer, type Spawned } from './support/process.js';
import { connectClient } from './support/socket-server.js';
import { bearer, signupUser } from './support/users.js';

/**
 * The production shape: a web server that takes posts but works no media jobs
 * (MEDIA_WORKER=false) and a separate media worker process; the job runs in the worker
 * and its post:ready reaches the author's socket on the web server through Redis.
 */
describe('a separate media worker process', function () {
  this.timeout(90_000);
  const processes: Spawned[] = [];
  let url = '';
  const shared = () => ({
    REDIS_URL: config.redisUrl!,
    ENABLE_JOBS: 'false',
    MEDIA_QUEUE_PREFIX: `bull-worker-${process.pid}`,
    STORAGE_LOCAL_DIR: config.storage.localDir,
  });

  before(async function () {
    if (!config.redisUrl) {
      console.warn('    REDIS_URL is not set: the media worker test is skipped');
      this.skip();
    }
    const web = await startServer(process.env.MONGODB_URI!, { ...shared(), MEDIA_WORKER: 'false' }, 'web server');
    processes.push(web);
    url = web.url;
  });
  after(async () => {
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
  });

  /** A post's media job as BullMQ holds it (the job id is the post id). */
  async function jobState(postId: string) {
    const connection = new Redis(config.redisUrl!, { maxRetriesPerRequest: null });
    const queue = new Queue('post-media', { connection, prefix: shared().MEDIA_QUEUE_PREFIX });
    try {
      return await queue.getJobState(postId);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  }

  it('processes a post in the worker and tells the author through the web server', async () => {
    const author = await signupUser();
    const socket = await connectClient(url, { auth: { token: author.accessToken } });
    try {
      const created = await supertest(url)
        .post('/api/v1/posts')
        .set(bearer(author.accessToken))
        .field('caption', 'from the worker')
        .attach('media', await png(120, 80), 'a.png');
      expect(created.status, JSON.stringify(created.body)).to.equal(202);
      const id = created.body.post.id as string;
      // Nothing works the job until the worker starts: it waits in the queue, taken by nobody.
      expect(await jobState(id)).to.equal('waiting');
      const waiting = await supertest(url).get(`/api/v1/posts/${id}`).set(bearer(author.accessToken));
      expect(waiting.body.post.status).to.equal('processing');
      // Nobody else sees a post before it is ready (no worker runs yet, so no race here).
      const stranger = await signupUser();
      expect((await supertest(url).get(`/api/v1/posts/${id}`).set(bearer(stranger.accessToken))).status).to.equal(404);
      const list = await supertest(url).get(`/api/v1/posts/author/${author.id}`).set(bearer(stranger.accessToken));
      expect(list.body.items).to.deep.equal([]);

      const ready = nextEvent(socket, 'post:ready', (p) => p.postId === id, 60_000);
      const worker = runTs('scripts/media-worker.ts', [], {
        ...shared(),
        MONGODB_URI: process.env.MONGODB_URI!,
        LOG_LEVEL: 'info',
        MAIL_PROVIDER: 'log',
      });
      processes.push(worker);
      await ready;
      const done = await supertest(url).get(`/api/v1/posts/${id}`).set(bearer(author.accessToken));
      expect(done.body.post.status).to.equal('ready');
      expect(done.body.post.images[0]).to.include({ width: 120, height: 80 });
    } finally {
      socket.close();
    }
  });
});
