import { eventually } from './support/eventually.js';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { png } from './support/images.js';
import { mp4 } from './support/media.js';
import { mediaKeyOf, openMedia, POSTS, readyPostOn } from './support/posts.js';
import { s3Endpoint, useS3App } from './support/s3.js';
import { bearer, signupUser } from './support/users.js';

/** Post media on a real S3-compatible server (SeaweedFS, SigV4 checked); CI sets TEST_S3_ENDPOINT. */
const endpoint = s3Endpoint;

describe('posts with S3 storage', function () {
  this.timeout(60_000);
  const bucket = useS3App('posts');

  it("stores a reel's HLS ladder and poster in the bucket, drops the upload, and deletes it all with the post", async () => {
    const { app, keys, s3, bucket: name } = bucket;
    const u = await signupUser();
    const post = await readyPostOn(app, u, { bytes: await mp4(), name: 'clip.mp4' });
    const prefix = `private/posts/${post.id}`;
    expect(mediaKeyOf(post.video.masterUrl)).to.equal(`${prefix}/video/master.m3u8`);
    const stored = await keys(`${prefix}/`);
    expect(stored).to.include.members([
      `${prefix}/video/master.m3u8`,
      `${prefix}/video/360p/index.m3u8`,
      `${prefix}/video/144p/index.m3u8`,
      `${prefix}/video/poster.jpg`,
    ]);
    expect(
      stored.filter((k) => k.includes('/src/')),
      'the upload is gone once processed',
    ).to.deep.equal([]);
    const master = await s3.client.send(new GetObjectCommand({ Bucket: name, Key: `${prefix}/video/master.m3u8` }));
    expect(master.ContentType).to.equal('application/vnd.apple.mpegurl');
    expect(await master.Body!.transformToString()).to.include('240p/index.m3u8');
    // Nobody reads the bucket without a signature; the app's link redirects to a presigned GET.
    expect((await fetch(`${endpoint}/${name}/${prefix}/video/poster.jpg`)).status).to.equal(403);
    const poster = await openMedia(post.video.posterUrl, app);
    expect(poster.status).to.equal(302);
    const presigned = await fetch(poster.headers.location!);
    expect(presigned.status).to.equal(200);
    expect(Buffer.from(await presigned.arrayBuffer()).subarray(0, 3)).to.deep.equal(Buffer.from([0xff, 0xd8, 0xff]));

    expect((await app.delete(`${POSTS}/${post.id}`).set(bearer(u.accessToken))).status).to.equal(204);
    expect(await keys(`${prefix}/`)).to.deep.equal([]);
  });

  it('stores image posts as the served sizes', async () => {
    const { app, keys } = bucket;
    const u = await signupUser();
    const post = await readyPostOn(app, u, { bytes: await png(300, 200), name: 'a.png' });
    // The upload is deleted just after the post reads as ready.
    const served = ['thumb', 'card', 'full'].map((v) => `private/posts/${post.id}/img-0/${v}.webp`).sort();
    await eventually(
      async () => JSON.stringify((await keys(`private/posts/${post.id}/`)).sort()) === JSON.stringify(served),
      5000,
      'only the served sizes stored',
    );
  });
});
