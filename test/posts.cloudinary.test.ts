import { expect } from 'chai';
import { useCloudinaryApp, type CloudinaryApp, type StandIn } from './support/cloudinary-standin.js';
import { png } from './support/images.js';
import { mp4 } from './support/media.js';
import { mediaKeyOf, openMedia, POSTS, readyPostOn } from './support/posts.js';
import { bearer, signupUser } from './support/users.js';

/** Post media on Cloudinary (a local stand-in that checks every signature): private raw files, signed downloads. */
describe('posts with Cloudinary storage', function () {
  this.timeout(60_000);
  const standIn = useCloudinaryApp();
  let cloud: StandIn;
  let app: CloudinaryApp['app'];
  before(() => ({ cloud, app } = standIn));

  const privateUnder = (prefix: string) => [...cloud.privateRaw.keys()].filter((k) => k.startsWith(prefix));

  /** Follows a signed media link to the provider's signed download, as a player would. */
  const fetchThrough = async (link: string) => {
    const opened = await openMedia(link, app);
    if (opened.status !== 302) return opened;
    return { status: (await fetch(opened.headers.location!)).status, body: opened.body, location: opened.headers.location! };
  };

  it('keeps a reel as private raw files reached only by signed, expiring downloads, and deletes them with the post', async () => {
    const u = await signupUser();
    const post = await readyPostOn(app, u, { bytes: await mp4(), name: 'clip.mp4' });
    const prefix = `private/posts/${post.id}/`;
    expect(privateUnder(`${prefix}video/`)).to.include.members([`${prefix}video/master.m3u8`, `${prefix}video/poster.jpg`]);
    expect(
      [...cloud.raw.keys()].filter((k) => k.includes(post.id)),
      'nothing of the post is publicly delivered',
    ).to.deep.equal([]);
    // The master playlist comes from the app, each rendition re-signed; segments redirect to Cloudinary's signed download.
    const master = (await openMedia(post.video.masterUrl, app)).body.toString();
    const renditions = master.split('\n').filter((l: string) => l.includes('.m3u8?'));
    expect(renditions).to.have.length(3);
    const playlist = (await openMedia(renditions[0]!, app)).body.toString();
    const segment = playlist.split('\n').find((l: string) => l.includes('.ts?'))!;
    const fetched = await fetchThrough(segment);
    expect(fetched.status).to.equal(200);
    const download = new URL((fetched as { location: string }).location);
    expect(download.pathname).to.equal(`/v1_1/${cloud.cloudName}/raw/download`);
    expect(Number(download.searchParams.get('expires_at'))).to.be.greaterThan(Date.now() / 1000);
    download.searchParams.set('expires_at', String(Math.floor(Date.now() / 1000) - 1));
    expect((await fetch(download)).status, 'a tampered expiry breaks the signature').to.equal(401);

    expect(privateUnder(`${prefix}src/`), 'the upload is gone once processed').to.deep.equal([]);
    expect((await app.delete(`${POSTS}/${post.id}`).set(bearer(u.accessToken))).status).to.equal(204);
    expect(privateUnder(prefix)).to.deep.equal([]);
  });

  it('keeps image posts as private sizes served through signed links', async () => {
    const u = await signupUser();
    const post = await readyPostOn(app, u, { bytes: await png(300, 200), name: 'a.png' });
    expect(privateUnder(`private/posts/${post.id}/img-0/`)).to.have.length(3);
    expect(mediaKeyOf(post.images[0].urls.thumb)).to.equal(`private/posts/${post.id}/img-0/thumb.webp`);
    expect((await fetchThrough(post.images[0].urls.thumb)).status).to.equal(200);
    expect((await app.delete(`${POSTS}/${post.id}`).set(bearer(u.accessToken))).status).to.equal(204);
    expect(privateUnder(`private/posts/${post.id}/`)).to.deep.equal([]);
  });
});
