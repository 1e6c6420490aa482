import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { config } from '../config/index.js';
import sharp from 'sharp';
import { User } from '../models/user.model.js';
import { mediaLinks } from '../services/storage/media-links.js';
import { api } from './support/app.js';
import { connect } from './support/connections.js';
import { jpeg } from './support/images.js';
import { heic } from './support/media.js';
import { mediaKeyOf, openMedia, POSTS, postAs, settled } from './support/posts.js';
import { bearer, signupUser, staffUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);

describe('private media: signed links only', function () {
  this.timeout(60_000);

  it('serves a connections-only post only through short-lived per-object links, stripped, and never the original', async () => {
    const [author, friend, stranger] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    await connect(author, friend);
    const created = await postAs(author, [{ bytes: await jpeg(900, 600), name: 'IMG_1.jpg' }], { visibility: 'connections' });
    const post = await settled(author, created.body.post.id);
    expect(post.status).to.equal('ready');

    const seen = await (await api()).get(`${POSTS}/${post.id}`).set(as(friend));
    const link: string = seen.body.post.images[0].urls.full;
    const key = mediaKeyOf(link);
    expect(key).to.equal(`private/posts/${post.id}/img-0/full.webp`);
    expect(new URL(link).searchParams.get('e')).to.match(/^\d+$/);
    const served = await openMedia(link);
    expect(served.status).to.equal(200);
    expect(served.headers['cache-control']).to.match(/^private, max-age=\d+$/);
    expect((await sharp(served.body).metadata()).exif, 'no EXIF or GPS in what is served').to.equal(undefined);
    // Ranges, as a player seeks: a part is 206; one past the end is a 416 naming the size.
    const size = served.body.length;
    const part = await openMedia(link, undefined, { Range: 'bytes=0-99' });
    expect([part.status, part.headers['content-range'], part.body.length]).to.deep.equal([206, `bytes 0-99/${size}`, 100]);
    const beyond = await openMedia(link, undefined, { Range: `bytes=${size + 10}-` });
    expect([beyond.status, JSON.parse(beyond.body.toString()).error.code]).to.deep.equal([416, 'RANGE_NOT_SATISFIABLE']);
    expect(beyond.headers['content-range']).to.equal(`bytes */${size}`);
    expect(beyond.headers['cache-control']).to.equal('no-store');
    expect((await (await api()).get(`${POSTS}/${post.id}`).set(as(stranger))).status, 'a stranger gets no link').to.equal(404);

    // Unsigned paths, the upload itself, another object under the same signature, an expired link.
    for (const path of [
      `/media/${key}`,
      `/media/%70rivate/posts/${post.id}/img-0/full.webp`,
      `/media/private%2Fposts%2F${post.id}%2Fimg-0%2Ffull.webp`,
      `//media/private/posts/${post.id}/img-0/full.webp`,
      `/media/posts/${post.id}/img-0/full.webp`,
      `/media/private/posts/${post.id}/src/0.jpg`,
      `/media/s/${key}`,
    ]) {
      expect((await (await api()).get(path)).status, path).to.be.oneOf([400, 404]);
    }
    const { search } = new URL(link);
    const otherObject = await (await api()).get(`/media/s/private/posts/${post.id}/img-0/thumb.webp${search}`);
    expect([otherObject.status, otherObject.body.error.code]).to.deep.equal([403, 'LINK_INVALID']);
    // A file gone between the link's checks and its sending (deleted meanwhile): the error
    // answer keeps none of the file's headers, nor the picture's private max-age.
    const thumbFile = path.resolve(
      `${config.storage.localDir.replace(/\/$/, '')}-private`,
      'posts',
      post.id,
      'img-0',
      'thumb.webp',
    );
    expect(existsSync(thumbFile), thumbFile).to.equal(true);
    await rm(thumbFile);
    const gone = await openMedia(
      mediaLinks.linkUntil(`private/posts/${post.id}/img-0/thumb.webp`, Math.floor(Date.now() / 1000) + 600),
    );
    expect(gone.status, gone.body.toString()).to.equal(404);
    expect(gone.headers['cache-control']).to.equal('no-store');
    expect(gone.headers['content-type']).to.match(/^application\/json/);
    expect(gone.headers).to.not.have.any.keys('etag', 'last-modified', 'content-range');
    const original = mediaLinks.linkUntil(`private/posts/${post.id}/src/0.jpg`, Math.floor(Date.now() / 1000) + 600);
    expect((await openMedia(original)).status, 'even a signed link never reaches an upload').to.equal(404);
    const expired = await openMedia(mediaLinks.linkUntil(key, Math.floor(Date.now() / 1000) - 1));
    expect([expired.status, JSON.parse(expired.body.toString()).error.code]).to.deep.equal([403, 'LINK_EXPIRED']);
    expect(expired.headers['cache-control'], 'a refusal is never cached').to.equal('no-store');

    // A moderator removes the post: its links stop working at once, not when they expire.
    const moderator = await staffUser('moderator');
    await (await api()).patch(`/api/v1/admin/content/posts/${post.id}`).set(as(moderator)).send({ action: 'remove' }).expect(204);
    const removed = await openMedia(link);
    expect(removed.status).to.equal(404);
    expect(removed.headers['cache-control'], "not the picture's private max-age").to.equal('no-store');
    expect(removed.headers['content-type']).to.match(/^application\/json/);
  });

  it("a ban or a suspension of the author cuts the post's links handed out before it, at once; its end brings them back", async () => {
    const [author, viewer] = await Promise.all([signupUser(), signupUser()]);
    const created = await postAs(author, [{ bytes: await jpeg(), name: 'a.jpg' }]);
    const post = await settled(author, created.body.post.id);
    const seen = await (await api()).get(`${POSTS}/${post.id}`).set(as(viewer));
    const link: string = seen.body.post.images[0].urls.full;
    expect((await openMedia(link)).status).to.equal(200);
    for (const standing of [{ bannedAt: new Date() }, { suspendedUntil: new Date(Date.now() + 3_600_000) }]) {
      await User.updateOne({ _id: author.id }, { $set: standing });
      const cut = await openMedia(link);
      expect(cut.status, JSON.stringify(standing)).to.equal(404);
      expect(cut.headers['cache-control']).to.equal('no-store');
      await User.updateOne({ _id: author.id }, { $set: { bannedAt: null, suspendedUntil: null } });
      expect((await openMedia(link)).status).to.equal(200);
    }
  });

  it("a ban or a suspension of a commenter cuts their comment image's links handed out before it; its end brings them back", async () => {
    const [author, commenter, viewer] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    const created = await postAs(author, [{ bytes: await jpeg(), name: 'a.jpg' }]);
    const post = await settled(author, created.body.post.id);
    const said = await (
      await api()
    )
      .post(`${POSTS}/${post.id}/comments`)
      .set(as(commenter))
      .attach('image', await jpeg(200, 200), 'c.jpg');
    expect(said.status, JSON.stringify(said.body)).to.equal(201);
    const listed = await (await api()).get(`${POSTS}/${post.id}/comments`).set(as(viewer));
    const link: string = listed.body.items[0].image.urls.full;
    expect((await openMedia(link)).status).to.equal(200);
    for (const standing of [{ bannedAt: new Date() }, { suspendedUntil: new Date(Date.now() + 3_600_000) }]) {
      await User.updateOne({ _id: commenter.id }, { $set: standing });
      expect((await openMedia(link)).status, JSON.stringify(standing)).to.equal(404);
      await User.updateOne({ _id: commenter.id }, { $set: { bannedAt: null, suspendedUntil: null } });
      expect((await openMedia(link)).status).to.equal(200);
    }
  });

  it('refuses a HEIC photo claiming a huge picture from its header, before decoding a pixel', async function () {
    const small = await heic(64, 64);
    if (!small) this.skip();
    // The image's declared size (its ispe box) says 20,000 x 20,000; the data is a tiny picture.
    const bomb = Buffer.from(small);
    const ispe = bomb.indexOf('ispe');
    expect(ispe).to.be.greaterThan(0);
    bomb.writeUInt32BE(20_000, ispe + 8);
    bomb.writeUInt32BE(20_000, ispe + 12);
    const author = await signupUser();
    const created = await postAs(author, [{ bytes: bomb, name: 'IMG_2.HEIC' }]);
    expect(created.status).to.equal(202);
    const post = await settled(author, created.body.post.id);
    expect([post.status, post.failReason]).to.deep.equal(['failed', 'image_too_large']);
  });
});
