import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../app.js';
import { config } from '../config/index.js';
import { startMediaPipeline, type MediaPipeline } from '../services/posts/media-queue.js';
import { cloudinaryProviderFor, startCloudinaryStandIn, type StandIn } from './support/cloudinary-standin.js';
import { png } from './support/images.js';
import { mp4 } from './support/media.js';
import { POSTS, readyPostOn } from './support/posts.js';
import { bearer, signupUser } from './support/users.js';

/** Post media on Cloudinary (a local stand-in that checks every signature): pictures as images, video files raw. */
describe('posts with Cloudinary storage', function () {
  this.timeout(60_000);
  let cloud: StandIn;
  let app: ReturnType<typeof supertest>;
  let media: MediaPipeline;

  before(async () => {
    cloud = await startCloudinaryStandIn();
    const storage = cloudinaryProviderFor(cloud);
    media = startMediaPipeline({ media: config.media }, storage, true);
    app = supertest(createApp({ config, storage, media: media.queue }));
  });
  after(async () => {
    await media?.close();
    await cloud?.close();
  });

  const rawUnder = (prefix: string) => [...cloud.raw.keys()].filter((k) => k.startsWith(prefix));

  it('stores a reel as raw HLS files whose master playlist links resolve, and deletes them with the post', async () => {
    const u = await signupUser();
    const post = await readyPostOn(app, u, { bytes: await mp4(), name: 'clip.mp4' });
    const prefix = `posts/${post.id}/`;
    // The SDK's delivery URL (with its version placeholder for foldered ids).
    expect(post.video.masterUrl).to.match(
      new RegExp(`^https://res\\.cloudinary\\.com/${cloud.cloudName}/raw/upload/(v\\d+/)?${prefix}video/master\\.m3u8$`),
    );
    // The master's relative links are the renditions' public ids.
    const master = cloud.raw.get(`${prefix}video/master.m3u8`)!.toString();
    for (const line of master.split('\n').filter((l) => l.endsWith('.m3u8'))) {
      expect(cloud.raw.has(`${prefix}video/${line}`), line).to.equal(true);
      expect(post.video.renditions.map((r: { url: string }) => r.url)).to.include(new URL(line, post.video.masterUrl).toString());
    }
    expect(rawUnder(`${prefix}src/`), 'the upload is gone once processed').to.deep.equal([]);
    expect((await app.delete(`${POSTS}/${post.id}`).set(bearer(u.accessToken))).status).to.equal(204);
    expect(rawUnder(prefix)).to.deep.equal([]);
  });

  it('stores image posts as image resources served in every size', async () => {
    const u = await signupUser();
    const post = await readyPostOn(app, u, { bytes: await png(300, 200), name: 'a.png' });
    expect(cloud.resources.has(`posts/${post.id}/img-0`)).to.equal(true);
    expect(post.images[0].urls.thumb).to.match(/^https:\/\/res\.cloudinary\.com\/.+\/image\/upload\/.*posts\/.+\/img-0\.webp$/);
    expect((await app.delete(`${POSTS}/${post.id}`).set(bearer(u.accessToken))).status).to.equal(204);
    expect(cloud.resources.has(`posts/${post.id}/img-0`)).to.equal(false);
  });
});
