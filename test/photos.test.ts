import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import sharp from 'sharp';
import { config } from '../config/index.js';
import { QuotaCounter } from '../models/quota-counter.model.js';
import { utcDay } from '../utils/clock.js';
import { api } from './support/app.js';
import { HTML_AS_JPEG, jpeg, png, pngClaiming } from './support/images.js';
import { expectDocumented } from './support/openapi.js';
import { photoCheckAsNginx, readingOf, setReading, unreadAsNginx, uploadCheckRefusal } from './support/upload-check.js';
import { PHOTOS, storedObjects } from './support/photos.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);

async function upload(u: SignedUp, bytes: Buffer, options: { target?: string; filename?: string; contentType?: string } = {}) {
  const req = (await api()).post(`${PHOTOS}${options.target ? `?target=${options.target}` : ''}`).set(as(u));
  return req.attach('photo', bytes, { filename: options.filename ?? 'me.jpg', contentType: options.contentType ?? 'image/jpeg' });
}

/** The file behind a local media URL, and whether the app serves it. */
const fileOf = (url: string) => path.resolve(config.storage.localDir, url.replace(`${config.storage.localBaseUrl}/`, ''));
const mediaPath = (url: string) => new URL(url).pathname;

describe('photos with the local storage', () => {
  it('stores an avatar in three WebP sizes without its EXIF, served by the app', async () => {
    const u = await signupUser();
    const res = await upload(u, await jpeg(), { target: 'avatar' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expectDocumented(res, 'post', PHOTOS);
    const { photo, photos } = res.body;
    expect(photos.avatar.id).to.equal(photo.id);
    expect(photo).to.have.all.keys('id', 'urls', 'width', 'height', 'createdAt');
    expect(photo).to.include({ width: 800, height: 600 });

    for (const [size, dims] of [
      ['thumb', [160, 160]],
      ['card', [480, 640]],
      ['full', [800, 600]],
    ] as const) {
      const url: string = photo.urls[size];
      expect(url.startsWith(`${config.storage.localBaseUrl}/users/${u.id}/photos/`)).to.equal(true);
      const served = await (await api()).get(mediaPath(url)).buffer(true);
      expect(served.status).to.equal(200);
      expect(served.headers['content-type']).to.equal('image/webp');
      expect(served.headers['cache-control']).to.include('immutable');
      const meta = await sharp(served.body as Buffer).metadata();
      expect([meta.format, meta.width, meta.height]).to.deep.equal(['webp', ...dims]);
      expect(meta.exif, 'EXIF is stripped').to.equal(undefined);
    }

    // Ranges as on any file: a part is 206; one past the end 416 naming the size; a miss 404.
    const full = mediaPath(photo.urls.full);
    const size = Number((await (await api()).head(full)).headers['content-length']);
    const part = await (await api()).get(full).set('Range', 'bytes=0-9').buffer(true);
    expect([part.status, part.headers['content-range']]).to.deep.equal([206, `bytes 0-9/${size}`]);
    const beyond = await (await api()).get(full).set('Range', `bytes=${size + 10}-`);
    expect([beyond.status, beyond.body.error?.code, beyond.headers['content-range']]).to.deep.equal([
      416,
      'RANGE_NOT_SATISFIABLE',
      `bytes */${size}`,
    ]);
    const missing = await (await api()).get(full.replace(/[^/]+$/, 'nothing-here.webp'));
    expect([missing.status, missing.body.error?.code, missing.headers['cache-control']]).to.deep.equal([
      404,
      'NOT_FOUND',
      'no-store',
    ]);

    const me = await (await api()).get('/api/v1/users/me').set(as(u));
    expect(me.body.user.avatar.urls).to.deep.equal(photo.urls);
    expect(JSON.stringify(me.body)).not.to.include('objects');
  });

  it('replacing or deleting a picture deletes its files', async () => {
    const u = await signupUser();
    const first = (await upload(u, await jpeg(), { target: 'avatar' })).body.photo;
    const second = await upload(u, await png(), { target: 'avatar', filename: 'x.png', contentType: 'image/png' });
    expect(second.status).to.equal(201);
    for (const url of Object.values(first.urls) as string[]) {
      expect(existsSync(fileOf(url)), url).to.equal(false);
      expect((await (await api()).get(mediaPath(url))).status).to.equal(404);
    }
    const current = second.body.photo;
    expect(existsSync(fileOf(current.urls.full))).to.equal(true);

    const del = await (await api()).delete(`${PHOTOS}/${current.id}`).set(as(u));
    expect(del.status).to.equal(200);
    expectDocumented(del, 'delete', `${PHOTOS}/{photoId}`);
    expect(del.body.photos).to.deep.equal({ avatar: null, gallery: [] });
    expect(existsSync(fileOf(current.urls.full))).to.equal(false);
    expect(existsSync(path.dirname(fileOf(current.urls.full))), 'the empty folder goes too').to.equal(false);
    expect(await storedObjects(u.id)).to.deep.equal([]);
  });

  it('keeps an ordered gallery up to the configured size, even under concurrent uploads', async () => {
    const u = await signupUser();
    const image = await png(120, 90);
    const results = await Promise.all(
      Array.from({ length: config.uploads.galleryMax + 2 }, () =>
        upload(u, image, { filename: 'g.png', contentType: 'image/png' }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).to.have.length(config.uploads.galleryMax);
    for (const r of results.filter((r) => r.status !== 201))
      expect([r.status, r.body.error.code]).to.deep.equal([409, 'GALLERY_FULL']);

    const list = await (await api()).get(PHOTOS).set(as(u));
    expectDocumented(list, 'get', PHOTOS);
    const ids: string[] = list.body.photos.gallery.map((p: { id: string }) => p.id);
    expect(ids).to.have.length(config.uploads.galleryMax);
    // No orphans: every file on disk under the user's folder belongs to a stored photo.
    const objects = await storedObjects(u.id);
    expect(objects).to.have.length(ids.length * 3);
    for (const key of objects) expect(existsSync(path.resolve(config.storage.localDir, key))).to.equal(true);

    const reversed = [...ids].reverse();
    const order = await (await api()).put(`${PHOTOS}/order`).set(as(u)).send({ photoIds: reversed });
    expect(order.status).to.equal(200);
    expectDocumented(order, 'put', `${PHOTOS}/order`);
    expect(order.body.photos.gallery.map((p: { id: string }) => p.id)).to.deep.equal(reversed);

    for (const photoIds of [reversed.slice(1), [...reversed.slice(1), reversed[1]], [...reversed.slice(1), 'a'.repeat(24)]]) {
      const bad = await (await api()).put(`${PHOTOS}/order`).set(as(u)).send({ photoIds });
      expect([bad.status, bad.body.error.code]).to.deep.equal([400, 'INVALID_ORDER']);
    }
    const after = await (await api()).get(PHOTOS).set(as(u));
    expect(after.body.photos.gallery.map((p: { id: string }) => p.id)).to.deep.equal(reversed);
  });

  it("GET /photos/check (nginx's question before it reads a photo) answers what the upload would hear at its headers", async () => {
    const [u, other] = await Promise.all([signupUser(), signupUser()]);
    // nginx says the upload's length (its Content-Length) in X-Upload-Length, and passes its query.
    const check = async (query = '', length: string | null = '1000', who: SignedUp | null = u) => {
      const req = (await api()).get(`${PHOTOS}/check${query}`);
      if (length !== null) void req.set('X-Upload-Length', length);
      return who ? req.set(as(who)) : req;
    };
    const refusal = uploadCheckRefusal(`${PHOTOS}/check`);
    const allowed = await check();
    expect(allowed.status, JSON.stringify(allowed.body)).to.equal(204);
    expectDocumented(allowed, 'get', `${PHOTOS}/check`);
    expect(allowed.headers).not.to.have.property('x-error-body');
    // The account nginx counts the upload's place for (a few at once each).
    expect(allowed.headers['x-upload-account']).to.equal(u.id);
    expect(refusal(await check('', '1000', null))).to.deep.equal([401, 'UNAUTHORIZED']);
    for (const forged of [bearer(`${u.accessToken.slice(0, -2)}xx`), { Cookie: 'access_token=nonsense' }]) {
      const res = await (await api()).get(`${PHOTOS}/check`).set(forged).set('X-Upload-Length', '1000');
      expect(refusal(res)).to.deep.equal([401, 'INVALID_TOKEN']);
    }
    expect(refusal(await check('?target=banner'))).to.deep.equal([400, 'VALIDATION_FAILED']);
    expect(refusal(await check('?target[$ne]=x'))).to.deep.equal([400, 'VALIDATION_FAILED']);
    // No length said: not read at all; longer than a picture (and its form's few fields): refused at its length.
    expect(refusal(await check('', null))).to.deep.equal([411, 'LENGTH_REQUIRED']);
    expect(refusal(await check('', '-1'))).to.deep.equal([400, 'VALIDATION_FAILED']);
    const largest = config.uploads.maxBytes;
    expect((await check('', String(largest + 1000))).status).to.equal(204);
    expect(refusal(await check('', String(largest + 1024 * 1024)))).to.deep.equal([413, 'FILE_TOO_LARGE']);
    // Signed in by cookie, the Origin is held to what the upload (a write) would meet.
    const byCookie = async (origin: string) =>
      (await api())
        .get(`${PHOTOS}/check`)
        .set('Cookie', other.cookies.join('; '))
        .set('Origin', origin)
        .set('X-Upload-Length', '1000');
    expect(refusal(await byCookie('https://elsewhere.example'))).to.deep.equal([403, 'CSRF_REJECTED']);
    expect((await byCookie('http://app.test')).status).to.equal(204);

    // A full gallery: a photo for it is refused before a byte is read; one for the avatar goes on.
    const image = await png(60, 40);
    for (let i = 0; i < config.uploads.galleryMax; i++)
      expect((await upload(u, image, { filename: 'g.png', contentType: 'image/png' })).status).to.equal(201);
    for (const query of ['', '?target=gallery']) expect(refusal(await check(query)), query).to.deep.equal([409, 'GALLERY_FULL']);
    expect((await check('?target=avatar')).status).to.equal(204);

    // Each admitted length is taken from the day's reading of pictures (a hundred of the largest),
    // whatever becomes of the upload: refused uploads are not free. Refused questions take nothing.
    const day = utcDay(new Date());
    const reading = (who: SignedUp) => readingOf('pictureReads', who.id);
    expect(await reading(u)).to.equal(1000 + (largest + 1000) + 1000);
    expect(await reading(other)).to.equal(1000);
    const readLimit = 100 * largest;
    await QuotaCounter.updateOne({ _id: `pictureReads:${u.id}:${day}` }, { $set: { used: readLimit - 500 } });
    const readEnough = await check('?target=avatar');
    expect(refusal(readEnough)).to.deep.equal([429, 'QUOTA_EXCEEDED']);
    expect(readEnough.body.error.details).to.include({ limit: readLimit });
    expect(await reading(u)).to.equal(readLimit - 500);
    expect((await check('?target=avatar', '400')).status).to.equal(204);
    // An ended session is refused as an invalid token: nginx reads nothing of its upload.
    await (await api()).post('/api/v1/auth/logout-all').set(as(other)).expect(200);
    expect(refusal(await check('', '1000', other))).to.deep.equal([401, 'INVALID_TOKEN']);
  });

  // nginx names each upload by its request id, as a trusted proxy says it (the test app trusts loopback).
  const checkAsNginx = async (u: SignedUp, length: number, requestId: string) =>
    photoCheckAsNginx(await api(), u.accessToken, length, requestId);
  const unread = async (u: SignedUp, requestId: string) => unreadAsNginx(await api(), u.accessToken, requestId);

  it("takes an admitted upload's length once and gives it back when nginx found it no place (GET /uploads/unread), to its sender, once, and never after the upload arrived", async () => {
    const [u, other] = await Promise.all([signupUser(), signupUser()]);
    const reading = () => readingOf('pictureReads', u.id);
    // Another upload's take stays in the reading throughout: a give-back made twice would show.
    await setReading('pictureReads', u.id, 100);
    const unplaced = 'c'.repeat(32);
    expect((await checkAsNginx(u, 50, unplaced)).status).to.equal(204);
    // nginx asks again a question that failed or timed out: the same upload takes once.
    expect((await checkAsNginx(u, 50, unplaced)).status).to.equal(204);
    expect(await reading()).to.equal(150);
    expect((await unread(other, unplaced)).status).to.equal(204);
    expect(await reading()).to.equal(150);
    const givenBack = await unread(u, unplaced);
    expect(givenBack.status).to.equal(204);
    expectDocumented(givenBack, 'get', '/api/v1/uploads/unread');
    expect(await reading()).to.equal(100);
    expect((await unread(u, unplaced)).status).to.equal(204);
    expect(await reading()).to.equal(100);
    // An upload that reached the app was read: its take is never given back.
    const read = 'd'.repeat(32);
    expect((await checkAsNginx(u, 20, read)).status).to.equal(204);
    const sent = await (
      await api()
    )
      .post(`${PHOTOS}?target=avatar`)
      .set(as(u))
      .set('X-Request-Id', read)
      .attach('photo', Buffer.from('not a picture'), { filename: 'x.png', contentType: 'image/png' });
    expect(sent.status).to.be.at.least(400);
    expect((await unread(u, read)).status).to.equal(204);
    expect(await reading()).to.equal(120);
  });

  it("keeps taken another take under an upload's id (not nginx asking again: another length)", async () => {
    const u = await signupUser();
    const clash = 'e'.repeat(32);
    expect((await checkAsNginx(u, 30, clash)).status).to.equal(204);
    expect((await checkAsNginx(u, 40, clash)).status).to.equal(204);
    expect(await readingOf('pictureReads', u.id)).to.equal(70);
    expect((await unread(u, clash)).status).to.equal(204);
    expect(await readingOf('pictureReads', u.id)).to.equal(40);
  });

  it('admits no upload its check could not take for, however often and at once nginx asks about it', async () => {
    const u = await signupUser();
    const reading = () => readingOf('pictureReads', u.id);
    const readLimit = 100 * config.uploads.maxBytes;
    await setReading('pictureReads', u.id, readLimit - 4999);
    const refused = 'f'.repeat(32);
    const asked = await Promise.all([1, 2, 3].map(() => checkAsNginx(u, 5000, refused)));
    expect(asked.map((res) => res.status)).to.deep.equal([429, 429, 429]);
    expect(await reading()).to.equal(readLimit - 4999);
    // Room for one: taken once; nginx asking again about it (its answer lost) is admitted on that
    // take, not refused for the room it took itself; another upload is refused.
    await setReading('pictureReads', u.id, readLimit - 5000);
    const paid = 'a'.repeat(32);
    expect((await checkAsNginx(u, 5000, paid)).status).to.equal(204);
    expect((await checkAsNginx(u, 5000, paid)).status).to.equal(204);
    expect(await reading()).to.equal(readLimit);
    expect((await checkAsNginx(u, 5000, '9'.repeat(32))).status).to.equal(429);
    expect((await unread(u, paid)).status).to.equal(204);
    expect((await unread(u, paid)).status).to.equal(204);
    expect(await reading()).to.equal(readLimit - 5000);
  });

  it('refuses HTML named .jpg, decompression bombs, over-size and broken files, storing nothing', async () => {
    const u = await signupUser();
    const cases: [Buffer, number, string][] = [
      [HTML_AS_JPEG, 415, 'UNSUPPORTED_IMAGE_TYPE'],
      [pngClaiming(20_000, 20_000), 422, 'IMAGE_TOO_LARGE'],
      [Buffer.alloc(config.uploads.maxBytes + 1, 0xff), 413, 'FILE_TOO_LARGE'],
      [(await jpeg()).subarray(0, 400), 422, 'IMAGE_UNREADABLE'],
    ];
    for (const [bytes, status, code] of cases) {
      const res = await upload(u, bytes, { target: 'avatar' });
      expect([res.status, res.body.error?.code], code).to.deep.equal([status, code]);
      expectDocumented(res, 'post', PHOTOS);
    }
    const json = await (await api()).post(PHOTOS).set(as(u)).send({ photo: 'data:image/png;base64,AAAA' });
    expect([json.status, json.body.error.code]).to.deep.equal([415, 'MULTIPART_REQUIRED']);
    const two = await (
      await api()
    )
      .post(PHOTOS)
      .set(as(u))
      .attach('photo', await png(), 'a.png')
      .attach('photo', await png(), 'b.png');
    expect([two.status, two.body.error.code]).to.deep.equal([400, 'INVALID_UPLOAD']);
    const badTarget = await upload(u, await png(), { target: 'banner' });
    expect([badTarget.status, badTarget.body.error.code]).to.deep.equal([400, 'VALIDATION_FAILED']);
    expect(await storedObjects(u.id)).to.deep.equal([]);
  });

  it('has no direct uploads, and a photo id names only the caller’s own photos', async () => {
    const [u, other] = await Promise.all([signupUser(), signupUser()]);
    const ticket = await (await api()).post(`${PHOTOS}/uploads`).set(as(u)).send({ contentType: 'image/png', size: 1000 });
    expect([ticket.status, ticket.body.error.code]).to.deep.equal([409, 'DIRECT_UPLOAD_UNAVAILABLE']);
    const theirs = (await upload(other, await png(), { filename: 'p.png', contentType: 'image/png' })).body.photo;
    const del = await (await api()).delete(`${PHOTOS}/${theirs.id}`).set(as(u));
    expect(del.status).to.equal(404);
    expect(existsSync(fileOf(theirs.urls.full))).to.equal(true);
    for (const id of ['x', '../../etc', 'a'.repeat(25)]) {
      expect((await (await api()).delete(`${PHOTOS}/${encodeURIComponent(id)}`).set(as(u))).status).to.equal(400);
    }
    expect((await (await api()).get(PHOTOS)).status).to.equal(401);
  });

  it('shows pictures on the public profile without storage details', async () => {
    const [u, viewer] = await Promise.all([signupUser(), signupUser()]);
    await upload(u, await jpeg(), { target: 'avatar' });
    await upload(u, await png(), { filename: 'p.png', contentType: 'image/png' });
    const res = await (await api()).get(`/api/v1/users/${u.input.username}`).set(as(viewer));
    expect(res.status).to.equal(200);
    expectDocumented(res, 'get', '/api/v1/users/{username}');
    expect(res.body.profile.avatar.urls.thumb).to.match(/thumb\.webp$/);
    expect(res.body.profile.gallery).to.have.length(1);
    expect(JSON.stringify(res.body)).not.to.match(/objects|provider/);
  });
});
