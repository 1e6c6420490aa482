import { expect } from 'chai';
import supertest from 'supertest';
import { within } from './support/eventually.js';
import { startServer, type StartedServer } from './support/process.js';
import { hasRedisServer, PrivateRedis } from './support/redis-server.js';
import { photoCheckAsNginx, readingOf, setReading, unreadAsNginx } from './support/upload-check.js';
import { signupUser } from './support/users.js';

/**
 * What upload checks take, kept while Redis is away (a server process on a Redis of the test's
 * own, taken away): the process that answered keeps its takes itself, takes each upload once
 * and gives back an unread one's reading, once.
 */
describe('upload takes through a Redis outage', function () {
  this.timeout(60_000);
  let redis: PrivateRedis | undefined;
  let server: StartedServer | undefined;

  before(function () {
    if (!hasRedisServer()) this.skip();
  });
  after(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await within(15_000, server.exited, 'the server exiting').catch(() => server!.child.kill('SIGKILL'));
    }
    await redis?.stop();
  });

  it('keeps them in the process that answered: taken once, given back once', async () => {
    redis = await PrivateRedis.start();
    // As behind nginx: the proxy's request id names an upload for its check and its give-back.
    server = await startServer(process.env.MONGODB_URI!, { REDIS_URL: redis.url, ENABLE_JOBS: 'false', TRUST_PROXY: 'loopback' });
    const u = await signupUser();
    const requestId = 'a0'.repeat(16);
    const check = () => photoCheckAsNginx(supertest(server!.url), u.accessToken, 600, requestId);
    const unread = () => unreadAsNginx(supertest(server!.url), u.accessToken, requestId);
    // Another upload's take stays in the reading throughout: a give-back made twice would show.
    await setReading('pictureReads', u.id, 1000);
    await redis.kill();
    const first = await check();
    expect(first.status, JSON.stringify(first.body)).to.equal(204);
    expect((await check()).status).to.equal(204);
    expect(await readingOf('pictureReads', u.id)).to.equal(1600);
    expect((await unread()).status).to.equal(204);
    expect(await readingOf('pictureReads', u.id)).to.equal(1000);
    expect((await unread()).status).to.equal(204);
    expect(await readingOf('pictureReads', u.id)).to.equal(1000);
  });
});
