import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { expect } from 'chai';
import { config } from '../config/index.js';
import { Post } from '../models/post.model.js';
import { User } from '../models/user.model.js';
import { QuotaCounter } from '../models/quota-counter.model.js';
import { failStuckPosts } from '../services/posts/media-processor.js';
import { api, freshIp, testMediaQueue } from './support/app.js';
import { connect } from './support/connections.js';
import { png } from './support/images.js';
import { nextEvent, useSocketServer } from './support/chat.js';
import { corruptMp4, heic, mp4 } from './support/media.js';
import { expectDocumented } from './support/openapi.js';
import { mediaKeyOf, openMedia, POSTS, postAs, settled } from './support/posts.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

/** Where a signed link's object lies in the local storage folder. */
const localPath = (link: string) => path.join(config.storage.localPrivateDir, mediaKeyOf(link).replace(/^private\//, ''));
const served = (link: string) => openMedia(link);

describe('posts: upload and media pipeline', function () {
  this.timeout(60_000);
  const devices = useSocketServer();
  const listen = (u: SignedUp) => devices.connect(u);

  it('an image post goes processing -> ready with served sizes, parsed hashtags and mentions', async () => {
    const author = await signupUser();
    const friend = await signupUser();
    const socket = await listen(author);
    // Listening before posting: the job may finish before the response is read.
    const readyHeard = nextEvent(socket, 'post:ready', () => true, 20_000);
    const caption = `Weekend build #Rust #rust #open_source with @${friend.input.username}! mail me at a@b.co`;
    const created = await postAs(
      author,
      [
        { bytes: await png(900, 600), name: 'a.png' },
        { bytes: await png(), name: 'b.png' },
      ],
      {
        caption,
        visibility: 'public',
      },
    );
    expect(created.status, JSON.stringify(created.body)).to.equal(202);
    expectDocumented(created, 'post', POSTS);
    const { post } = created.body;
    expect(post).to.include({ status: 'processing', kind: 'images', caption });
    expect(post.hashtags).to.deep.equal(['rust', 'open-source']);
    expect(post.mentions).to.deep.equal([friend.id]);
    // Nobody else sees it before it is ready.
    const early = await (await api()).get(`${POSTS}/${post.id}`).set(bearer(friend.accessToken));
    expect([404, 200]).to.include(early.status);
    if (early.status === 200) expect(early.body.post.status).to.equal('ready');

    const ready = await readyHeard;
    expect(ready.postId).to.equal(post.id);
    expect(ready.post.status).to.equal('ready');
    const got = await (await api()).get(`${POSTS}/${post.id}`).set(bearer(friend.accessToken));
    expect(got.status).to.equal(200);
    expectDocumented(got, 'get', `${POSTS}/{id}`);
    expect(got.body.post.images).to.have.length(2);
    const [first] = got.body.post.images;
    expect(first).to.include({ width: 900, height: 600 });
    const full = await served(first.urls.full);
    expect(full.status).to.equal(200);
    expect(full.headers['content-type']).to.match(/image\/webp/);
    const stored = await Post.findById(post.id).lean();
    expect(stored!.originals).to.deep.equal([]);
    expect(existsSync(path.join(config.storage.localPrivateDir, 'posts', post.id, 'src'))).to.equal(false);
  });

  it('accepts an iPhone HEIC photo and serves it as WebP', async function () {
    const photo = await heic(300, 200);
    if (!photo) {
      console.warn('    heif-enc is not installed (Debian: libheif-examples): HEIC test skipped');
      this.skip();
    }
    const author = await signupUser();
    const created = await postAs(author, [{ bytes: photo, name: 'IMG_0001.HEIC' }]);
    expect(created.status, JSON.stringify(created.body)).to.equal(202);
    const post = await settled(author, created.body.post.id);
    expect(post.status, post.failReason).to.equal('ready');
    expect(post.images[0]).to.include({ width: 300, height: 200 });
    const full = await served(post.images[0].urls.full);
    expect(full.headers['content-type']).to.match(/image\/webp/);
  });

  it('a reel goes ready with an HLS ladder of three qualities and a poster', async () => {
    const author = await signupUser();
    const created = await postAs(author, [{ bytes: await mp4(), name: 'clip.mp4' }], { caption: 'first reel #video' });
    expect(created.status, JSON.stringify(created.body)).to.equal(202);
    const post = await settled(author, created.body.post.id);
    expect(post.status, post.failReason).to.equal('ready');
    expect(post.kind).to.equal('video');
    expect(post.video).to.include({ width: 640, height: 360, durationSec: 2 });
    expect(post.video.renditions.map((r: { height: number }) => r.height)).to.deep.equal([360, 240, 144]);
    const master = await served(post.video.masterUrl);
    expect(master.status).to.equal(200);
    const playlist = master.body.toString();
    expect(playlist).to.include('#EXTM3U');
    for (const dir of ['360p', '240p', '144p']) expect(playlist).to.include(`${dir}/index.m3u8`);
    const rendition = (await served(post.video.renditions[2].url)).body.toString();
    // Every segment is a signed link of its own.
    const segment = rendition.split('\n').find((l: string) => l.includes('.ts?'))!;
    expect(existsSync(localPath(segment))).to.equal(true);
    const bytes = await served(segment);
    expect([bytes.status, bytes.body[0]]).to.deep.equal([200, 0x47]);
    const poster = await served(post.video.posterUrl);
    expect(poster.status).to.equal(200);
    expect(poster.body.subarray(0, 3)).to.deep.equal(Buffer.from([0xff, 0xd8, 0xff]));
  });

  it('a corrupt video ends failed with a reason, and the author hears it', async () => {
    const author = await signupUser();
    const socket = await listen(author);
    const failedHeard = nextEvent(socket, 'post:failed', () => true, 20_000);
    const created = await postAs(author, [{ bytes: corruptMp4(), name: 'broken.mp4' }]);
    expect(created.status).to.equal(202);
    const failed = await failedHeard;
    expect(failed.postId).to.equal(created.body.post.id);
    expect(failed.reason).to.equal('unreadable_video');
    const post = await settled(author, created.body.post.id);
    expect(post).to.include({ status: 'failed', failReason: 'unreadable_video' });
  });

  it('a video over the length limit fails as too long', async () => {
    const author = await signupUser();
    const created = await postAs(author, [{ bytes: await mp4(6, '320x240'), name: 'long.mp4' }]);
    const post = await settled(author, created.body.post.id);
    expect(post).to.include({ status: 'failed', failReason: 'too_long' });
  });

  it('holds posts to the daily limit and videos to the resolution ladder', async () => {
    const author = await signupUser();
    const day = new Date().toISOString().slice(0, 10);
    await QuotaCounter.create({ _id: `posts:${author.id}:${day}`, userId: author.id, day, used: config.posts.perDay });
    const over = await postAs(author, [{ bytes: await png(), name: 'a.png' }]);
    expect(over.status).to.equal(429);
    expect(over.body.error.code).to.equal('QUOTA_EXCEEDED');

    const other = await signupUser();
    const tiny = await postAs(other, [{ bytes: await mp4(1, '320x180'), name: 'tiny.mp4' }]);
    const post = await settled(other, tiny.body.post.id);
    expect(post).to.include({ status: 'failed', failReason: 'resolution_too_low' });
    // Above VIDEO_MAX_HEIGHT (2160) on its short side: refused before any transcoding.
    const huge = await postAs(other, [{ bytes: await mp4(1, '2176x2176', 2), name: 'huge.mp4' }]);
    const refused = await settled(other, huge.body.post.id);
    expect(refused).to.include({ status: 'failed', failReason: 'resolution_too_high' });
  });

  it('refuses a text file named .mp4, mixed media, too many files and oversized files before storing anything', async () => {
    const author = await signupUser();
    const before = await Post.countDocuments({ authorId: author.id });
    const text = await postAs(author, [{ bytes: Buffer.from('just some text, honest\n'.repeat(20)), name: 'movie.mp4' }]);
    expect(text.status).to.equal(415);
    expect(text.body.error.code).to.equal('UNSUPPORTED_MEDIA_TYPE');
    const mixed = await postAs(author, [
      { bytes: await mp4(), name: 'a.mp4' },
      { bytes: await png(), name: 'b.png' },
    ]);
    expect(mixed.body.error.code).to.equal('TOO_MANY_MEDIA');
    const eleven = await postAs(
      author,
      Array.from({ length: 11 }, (_, i) => ({ bytes: Buffer.from('x'), name: `${i}.png` })),
    );
    expect(eleven.status).to.equal(400);
    expect(eleven.body.error.code).to.equal('TOO_MANY_MEDIA');
    const huge = await postAs(author, [{ bytes: Buffer.alloc(config.posts.mediaMaxBytes + 1, 1), name: 'big.png' }]);
    expect(huge.status).to.equal(413);
    const none = await postAs(author, [], { caption: 'no media' });
    expect(none.body.error.code).to.equal('MEDIA_REQUIRED');
    const badField = await postAs(author, [{ bytes: await png(), name: 'a.png' }], { visibility: 'everyone', role: 'admin' });
    expect(badField.status).to.equal(400);
    const place = await postAs(author, [{ bytes: await png(), name: 'a.png' }], { placeName: 'Cafe', placeLat: '12.9' });
    expect(place.status).to.equal(400);
    expect(await Post.countDocuments({ authorId: author.id })).to.equal(before);
  });

  it('refuses a form field given twice (a list where one value belongs) and stores none of the upload', async () => {
    const author = await signupUser();
    const postsDir = path.join(config.storage.localPrivateDir, 'posts');
    const storedBefore = new Set(existsSync(postsDir) ? readdirSync(postsDir) : []);
    for (const field of ['visibility', 'sensitive', 'caption', 'placeConsent']) {
      const value = field === 'caption' ? 'hello' : field === 'visibility' ? 'public' : 'false';
      const res = await (
        await api()
      )
        .post(POSTS)
        .set(bearer(author.accessToken))
        .set('X-Forwarded-For', freshIp())
        .field(field, value)
        .field(field, value)
        .attach('media', await png(), 'a.png');
      expect([res.status, res.body.error?.code, res.body.error?.details?.[0]?.field], field).to.deep.equal([
        400,
        'VALIDATION_FAILED',
        field,
      ]);
    }
    expect(await Post.countDocuments({ authorId: author.id })).to.equal(0);
    const storedAfter = existsSync(postsDir) ? readdirSync(postsDir) : [];
    expect(storedAfter.filter((dir) => !storedBefore.has(dir))).to.deep.equal([]);
  });

  it("a mention names only people whose profile the author may see: never a blocker's, a banned or a suspended account's id", async () => {
    const [author, friend, blocker, blocked, banned, suspended] = await Promise.all([
      signupUser(),
      signupUser(),
      signupUser(),
      signupUser(),
      signupUser(),
      signupUser(),
    ]);
    await (await api()).post(`/api/v1/users/${author.id}/block`).set(bearer(blocker.accessToken)).expect(204);
    await (await api()).post(`/api/v1/users/${blocked.id}/block`).set(bearer(author.accessToken)).expect(204);
    await User.updateOne({ _id: banned.id }, { $set: { bannedAt: new Date() } });
    await User.updateOne({ _id: suspended.id }, { $set: { suspendedUntil: new Date(Date.now() + 3_600_000) } });
    const names = [friend, blocker, blocked, banned, suspended].map((u) => `@${u.input.username}`).join(' ');
    const created = await postAs(author, [{ bytes: await png(), name: 'a.png' }], { caption: `hi ${names}` });
    expect(created.status).to.equal(202);
    expect(created.body.post.mentions).to.deep.equal([friend.id]);
    const post = await settled(author, created.body.post.id);
    const edited = await (
      await api()
    )
      .patch(`${POSTS}/${post.id}`)
      .set(bearer(author.accessToken))
      .send({ caption: `again ${names}` });
    expect(edited.body.post.mentions).to.deep.equal([friend.id]);
    const comment = await (
      await api()
    )
      .post(`${POSTS}/${post.id}/comments`)
      .set(bearer(author.accessToken))
      .send({ text: `and here ${names}` });
    expect(comment.status, JSON.stringify(comment.body)).to.equal(201);
    expect(JSON.stringify(comment.body)).not.to.match(
      new RegExp([blocker, blocked, banned, suspended].map((u) => u.id).join('|')),
    );
    expect((await Post.findById(post.id).lean())!.mentions!.map(String)).to.deep.equal([friend.id]);
  });

  it('only the author edits or deletes a post; deleting removes its media from storage', async () => {
    const author = await signupUser();
    const other = await signupUser();
    const created = await postAs(author, [{ bytes: await png(), name: 'a.png' }], { caption: 'original' });
    const post = await settled(author, created.body.post.id);
    const edit = await (await api()).patch(`${POSTS}/${post.id}`).set(bearer(other.accessToken)).send({ caption: 'hacked' });
    expect(edit.status).to.equal(403);
    expect(edit.body.error.code).to.equal('NOT_POST_AUTHOR');
    const del = await (await api()).delete(`${POSTS}/${post.id}`).set(bearer(other.accessToken));
    expect(del.status).to.equal(403);
    expect((await Post.findById(post.id).lean())!.caption).to.equal('original');

    const own = await (
      await api()
    )
      .patch(`${POSTS}/${post.id}`)
      .set(bearer(author.accessToken))
      .send({ caption: 'now with #tags' });
    expect(own.status).to.equal(200);
    expectDocumented(own, 'patch', `${POSTS}/{id}`);
    expect(own.body.post).to.include({ caption: 'now with #tags' });
    expect(own.body.post.hashtags).to.deep.equal(['tags']);
    const operator = await (
      await api()
    )
      .patch(`${POSTS}/${post.id}`)
      .set(bearer(author.accessToken))
      .send({ caption: { $set: 'x' } });
    expect(operator.status).to.equal(400);

    const file = localPath(post.images[0].urls.full);
    expect(existsSync(file)).to.equal(true);
    const gone = await (await api()).delete(`${POSTS}/${post.id}`).set(bearer(author.accessToken));
    expect(gone.status).to.equal(204);
    expect(existsSync(file)).to.equal(false);
    expect(existsSync(path.join(config.storage.localPrivateDir, 'posts', post.id))).to.equal(false);
    expect((await (await api()).get(`${POSTS}/${post.id}`).set(bearer(author.accessToken))).status).to.equal(404);
  });

  it("connections-only posts show to connections alone; blocked users never see each other's posts", async () => {
    const author = await signupUser();
    const friend = await signupUser();
    const stranger = await signupUser();
    await connect(author, friend);
    const created = await postAs(author, [{ bytes: await png(), name: 'a.png' }], { visibility: 'connections' });
    const post = await settled(author, created.body.post.id);
    const asFriend = await (await api()).get(`${POSTS}/${post.id}`).set(bearer(friend.accessToken));
    expect(asFriend.status).to.equal(200);
    expect(asFriend.body.post.failReason).to.equal(null);
    expect((await (await api()).get(`${POSTS}/${post.id}`).set(bearer(stranger.accessToken))).status).to.equal(404);
    const strangerList = await (await api()).get(`${POSTS}/author/${author.id}`).set(bearer(stranger.accessToken));
    expect(strangerList.body.items).to.deep.equal([]);
    const friendList = await (await api()).get(`${POSTS}/author/${author.id}`).set(bearer(friend.accessToken));
    expectDocumented(friendList, 'get', `${POSTS}/author/{userId}`);
    expect(friendList.body.items.map((p: { id: string }) => p.id)).to.deep.equal([post.id]);

    const blocked = await (await api()).post(`/api/v1/users/${friend.id}/block`).set(bearer(author.accessToken));
    expect(blocked.status).to.be.oneOf([200, 201, 204]);
    expect((await (await api()).get(`${POSTS}/${post.id}`).set(bearer(friend.accessToken))).status).to.equal(404);
    expect((await (await api()).get(`${POSTS}/author/${author.id}`).set(bearer(friend.accessToken))).status).to.equal(404);
  });

  it("lists an author's posts newest first by cursor", async () => {
    const author = await signupUser();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await postAs(author, [{ bytes: await png(), name: 'a.png' }], { caption: `p${i}` })).body.post.id);
    for (const id of ids) await settled(author, id);
    const page1 = await (await api()).get(`${POSTS}/author/${author.id}?limit=2`).set(bearer(author.accessToken));
    expect(page1.body.items.map((p: { id: string }) => p.id)).to.deep.equal([ids[2], ids[1]]);
    const page2 = await (
      await api()
    )
      .get(`${POSTS}/author/${author.id}?limit=2&cursor=${page1.body.nextCursor}`)
      .set(bearer(author.accessToken));
    expect(page2.body.items.map((p: { id: string }) => p.id)).to.deep.equal([ids[0]]);
    expect(page2.body.nextCursor).to.equal(null);
  });

  it('a job that cannot finish is retried a bounded number of times, then the post fails; a stuck one is noticed', async () => {
    const author = await signupUser();
    const socket = await listen(author);
    // An upload that vanished from storage: a passing problem as far as the job can tell.
    const lost = await Post.create({
      authorId: author.id,
      kind: 'images',
      storage: 'local',
      originals: [{ key: 'posts/nowhere/src/0.png', type: 'image/png', bytes: 1 }],
      status: 'processing',
      processingStartedAt: new Date(),
    });
    await (await testMediaQueue()).enqueue({ postId: String(lost._id) });
    const post = await settled(author, String(lost._id));
    expect(post).to.include({ status: 'failed', failReason: 'processing_failed' });
    if (config.redisUrl) {
      const queue = new Queue('post-media', { connection: { url: config.redisUrl }, prefix: config.media.queuePrefix });
      const job = await queue.getJob(String(lost._id));
      expect(job!.attemptsMade, 'tried as often as configured').to.equal(config.media.attempts);
      expect(await job!.getState()).to.equal('failed');
      await queue.close();
    }

    const stuck = await Post.create({
      authorId: author.id,
      kind: 'images',
      storage: 'local',
      status: 'processing',
      processingStartedAt: new Date(Date.now() - 2 * config.media.stuckAfterMs),
    });
    const heard = nextEvent(socket, 'post:failed', (p) => p.postId === String(stuck._id), 20_000);
    expect(await failStuckPosts(new Date(Date.now() - config.media.stuckAfterMs))).to.be.greaterThanOrEqual(1);
    expect((await heard).reason).to.equal('timed_out');
    expect((await Post.findById(stuck._id).lean())!.status).to.equal('failed');
  });
});
