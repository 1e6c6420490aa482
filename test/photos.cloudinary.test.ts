import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../app.js';
import { config } from '../config/index.js';
import { runCleanup } from '../jobs/cleanup.job.js';
import { User } from '../models/user.model.js';
import { cloudinaryProviderFor, startCloudinaryStandIn, type StandIn } from './support/cloudinary-standin.js';
import sharp from 'sharp';
import { jpeg, png, pngClaiming } from './support/images.js';
import { expectDocumented } from './support/openapi.js';
import { PHOTOS, replaceAvatar } from './support/photos.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);

describe('photos with Cloudinary storage (against a signature-checking stand-in)', () => {
  let cloud: StandIn;
  let app: ReturnType<typeof supertest>;

  before(async () => {
    cloud = await startCloudinaryStandIn();
    const storage = cloudinaryProviderFor(cloud);
    app = supertest(createApp({ config, storage }));
  });
  after(() => cloud.close());

  async function uploadWith(
    ticket: { url: string; fields: Record<string, string> },
    bytes: Buffer,
    tamper: Record<string, string> = {},
  ) {
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...ticket.fields, ...tamper })) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(bytes)]), 'upload');
    const res = await fetch(ticket.url, { method: 'POST', body: form });
    await res.arrayBuffer();
    return res.status;
  }

  const ticketFor = async (u: SignedUp, contentType = 'image/png') => {
    const res = await app.post(`${PHOTOS}/uploads`).set(as(u)).send({ contentType, size: 5000 });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expectDocumented(res, 'post', `${PHOTOS}/uploads`);
    return res.body.upload as { key: string; url: string; fields: Record<string, string>; provider: string };
  };

  it('signed upload fields, then confirm: served by transformation URLs, never the secret', async () => {
    const u = await signupUser();
    const ticket = await ticketFor(u);
    expect(ticket.provider).to.equal('cloudinary');
    expect(ticket.fields).to.include({ public_id: ticket.key, api_key: cloud.apiKey, allowed_formats: 'jpg,png,webp' });
    expect(JSON.stringify(ticket)).not.to.include(cloud.apiSecret);
    expect(await uploadWith(ticket, await png(300, 200))).to.equal(200);
    // Until confirmed, the upload is of the authenticated delivery type: no public address
    // serves it, so a ticket never confirmed is no free hosting.
    expect(cloud.resources.get(ticket.key)?.type).to.equal('authenticated');

    const res = await app.post(`${PHOTOS}/uploads/confirm`).set(as(u)).send({ key: ticket.key, target: 'avatar' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expectDocumented(res, 'post', `${PHOTOS}/uploads/confirm`);
    expect(res.body.photo).to.include({ width: 300, height: 200 });
    expect(res.body.photo.urls.thumb).to.match(
      new RegExp(
        `^https://res\\.cloudinary\\.com/${cloud.cloudName}/image/upload/c_fill,h_160,w_160/q_auto/v\\d+/${ticket.key}\\.webp$`,
      ),
    );
    const stored = await User.findById(u.id, { avatar: 1 }).lean();
    expect(stored?.avatar?.objects).to.deep.equal([ticket.key]);
    expect(cloud.resources.get(ticket.key)?.type, 'public once checked and confirmed').to.equal('upload');

    const twice = await app.post(`${PHOTOS}/uploads/confirm`).set(as(u)).send({ key: ticket.key });
    expect([twice.status, twice.body.error.code]).to.deep.equal([409, 'UPLOAD_ALREADY_USED']);
    expect(cloud.resources.has(ticket.key), 'a repeated confirm keeps the picture').to.equal(true);
  });

  it('the signature pins the public id, formats and private delivery: a tampered form is refused by Cloudinary', async () => {
    const u = await signupUser();
    const ticket = await ticketFor(u);
    const other = `uploads/${u.id}/${'f'.repeat(32)}`;
    expect(await uploadWith(ticket, await png(), { public_id: other })).to.equal(401);
    expect(await uploadWith(ticket, await png(), { allowed_formats: 'jpg,png,webp,svg' })).to.equal(401);
    for (const type of ['upload', '']) expect(await uploadWith(ticket, await png(), { type })).to.equal(401);
    expect(cloud.resources.has(other)).to.equal(false);
    expect(cloud.resources.has(ticket.key)).to.equal(false);
  });

  it('Cloudinary keeps a re-encoded picture, never the upload: no EXIF; a pixel bomb is refused there', async () => {
    const u = await signupUser();
    const ticket = await ticketFor(u, 'image/jpeg');
    expect(ticket.fields.transformation).to.match(/^c_limit,w_\d+,h_\d+$/);
    expect(await uploadWith(ticket, await jpeg(2400, 1800))).to.equal(200);
    const kept = cloud.stored.get(ticket.key)!;
    const meta = await sharp(kept).metadata();
    expect(meta.exif, 'no EXIF (camera, place) in what Cloudinary keeps').to.equal(undefined);
    expect(meta.width).to.be.at.most(1600);
    expect((await app.post(`${PHOTOS}/uploads/confirm`).set(as(u)).send({ key: ticket.key })).status).to.equal(201);
    // Dropping the transformation breaks the signature.
    const again = await ticketFor(u, 'image/jpeg');
    expect(await uploadWith(again, await jpeg(), { transformation: '' })).to.equal(401);

    const bomb = await ticketFor(u);
    expect(await uploadWith(bomb, pngClaiming(20_000, 20_000))).to.equal(400);
    const res = await app.post(`${PHOTOS}/uploads/confirm`).set(as(u)).send({ key: bomb.key });
    expect([res.status, res.body.error.code]).to.deep.equal([404, 'UPLOAD_NOT_FOUND']);
    const missing = await app
      .post(`${PHOTOS}/uploads/confirm`)
      .set(as(u))
      .send({ key: `uploads/${u.id}/${'a'.repeat(32)}` });
    expect([missing.status, missing.body.error.code]).to.deep.equal([404, 'UPLOAD_NOT_FOUND']);
  });

  it('an upload refused on confirm is destroyed while still private, never published', async () => {
    const u = await signupUser();
    const ticket = await ticketFor(u);
    expect(await uploadWith(ticket, await png(300, 200))).to.equal(200);
    const maxBytes = config.uploads.maxBytes;
    config.uploads.maxBytes = 100;
    try {
      const res = await app.post(`${PHOTOS}/uploads/confirm`).set(as(u)).send({ key: ticket.key });
      expect([res.status, res.body.error.code]).to.deep.equal([413, 'FILE_TOO_LARGE']);
    } finally {
      config.uploads.maxBytes = maxBytes;
    }
    expect(cloud.resources.has(ticket.key)).to.equal(false);
    const again = await app.post(`${PHOTOS}/uploads/confirm`).set(as(u)).send({ key: ticket.key });
    expect([again.status, again.body.error.code]).to.deep.equal([404, 'UPLOAD_NOT_FOUND']);
    expect((await User.findById(u.id, { avatar: 1, gallery: 1 }).lean())?.avatar ?? null).to.equal(null);
  });

  it('the clean-up deletes uploads never confirmed once no ticket could still be confirmed; confirmed and fresh ones stay', async () => {
    const u = await signupUser();
    const [forgotten, kept, fresh] = [await ticketFor(u), await ticketFor(u), await ticketFor(u)];
    for (const t of [forgotten, kept]) expect(await uploadWith(t, await png(120, 80))).to.equal(200);
    expect((await app.post(`${PHOTOS}/uploads/confirm`).set(as(u)).send({ key: kept.key })).status).to.equal(201);
    const storage = cloudinaryProviderFor(cloud);
    // Three hours on: the forgotten upload goes, the photo in use stays.
    expect(await runCleanup(new Date(Date.now() + 3 * 3_600_000), storage)).to.be.at.least(1);
    expect(cloud.resources.has(forgotten.key)).to.equal(false);
    expect(cloud.resources.get(kept.key)?.type).to.equal('upload');
    const late = await app.post(`${PHOTOS}/uploads/confirm`).set(as(u)).send({ key: forgotten.key });
    expect([late.status, late.body.error.code]).to.deep.equal([404, 'UPLOAD_NOT_FOUND']);
    // An upload of now is left to be confirmed.
    expect(await uploadWith(fresh, await png(120, 80))).to.equal(200);
    await runCleanup(new Date(), storage);
    expect(cloud.resources.get(fresh.key)?.type).to.equal('authenticated');
  });

  it('uploads through the API are stored signed, and replacing them destroys the old resource', async () => {
    const { before, after } = await replaceAvatar(app, await signupUser());
    expect(before).to.have.length(1);
    expect(cloud.resources.has(before[0]!)).to.equal(false);
    expect(cloud.resources.get(after[0]!)).to.include({ format: 'webp', width: 64, height: 64 });
  });
});
