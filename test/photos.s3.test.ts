import { HeadObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../app.js';
import { config } from '../config/index.js';
import type { S3StorageProvider } from '../services/storage/s3.provider.js';
import { HTML_AS_JPEG, jpeg, png, pngClaiming } from './support/images.js';
import { PHOTOS, replaceAvatar, storedObjects } from './support/photos.js';
import { expectDocumented } from './support/openapi.js';
import { freshS3Bucket, s3Endpoint } from './support/s3.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

/**
 * Against a real S3-compatible server that checks SigV4 and every presigned-POST
 * condition (SeaweedFS from ../shared/s3/start.sh; CI sets TEST_S3_ENDPOINT).
 */
const endpoint = s3Endpoint;

describe('photos with S3 storage', function () {
  let s3: S3StorageProvider;
  let bucket: string;
  let app: ReturnType<typeof supertest>;
  const as = (u: SignedUp) => bearer(u.accessToken);

  before(async function () {
    if (!endpoint) {
      console.warn('    TEST_S3_ENDPOINT is not set: S3 tests skipped (start one with ../shared/s3/start.sh)');
      this.skip();
    }
    ({ s3, bucket } = await freshS3Bucket('photos'));
    app = supertest(createApp({ config, storage: s3 }));
  });

  const exists = async (key: string) => {
    try {
      await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (err) {
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return false;
      throw err;
    }
  };

  const ticketFor = (u: SignedUp, contentType: string, size: number) =>
    app.post(`${PHOTOS}/uploads`).set(as(u)).send({ contentType, size });

  /** What a browser does with the ticket: a multipart POST with the fields, then the file. */
  async function postToStorage(
    ticket: { url: string; fields: Record<string, string> },
    bytes: Buffer,
    contentType: string,
    key?: string,
  ) {
    const form = new FormData();
    for (const [k, v] of Object.entries(ticket.fields))
      form.append(k, k === 'key' && key ? key : k === 'Content-Type' ? contentType : v);
    form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }), 'upload');
    const res = await fetch(ticket.url, { method: 'POST', body: form });
    await res.arrayBuffer();
    return res.status;
  }

  it('presigned POST inside the policy, then confirm: three sizes stored and the original removed', async () => {
    const u = await signupUser();
    const bytes = await jpeg(900, 700);
    const ticket = await ticketFor(u, 'image/jpeg', bytes.length);
    expect(ticket.status, JSON.stringify(ticket.body)).to.equal(201);
    expectDocumented(ticket, 'post', `${PHOTOS}/uploads`);
    const upload = ticket.body.upload;
    expect(upload.key).to.match(new RegExp(`^uploads/${u.id}/[0-9a-f]{32}$`));
    expect(Date.parse(upload.expiresAt) - Date.now()).to.be.within(0, config.uploads.directUploadTtlSeconds * 1000);
    const policy = JSON.parse(Buffer.from(upload.fields.Policy, 'base64').toString()) as { conditions: unknown[] };
    expect(policy.conditions).to.deep.include(['content-length-range', 1, config.uploads.maxBytes]);

    expect(await postToStorage(upload, bytes, 'image/jpeg')).to.equal(204);
    expect(await exists(upload.key)).to.equal(true);

    const confirm = await app.post(`${PHOTOS}/uploads/confirm`).set(as(u)).send({ key: upload.key, target: 'avatar' });
    expect(confirm.status, JSON.stringify(confirm.body)).to.equal(201);
    expectDocumented(confirm, 'post', `${PHOTOS}/uploads/confirm`);
    expect(confirm.body.photos.avatar.width).to.equal(900);
    expect(confirm.body.photo.urls.full).to.equal(
      `${endpoint}/${bucket}/${(await storedObjects(u.id)).find((k) => k.endsWith('full.webp'))}`,
    );
    for (const key of await storedObjects(u.id)) expect(await exists(key), key).to.equal(true);
    expect(await exists(upload.key), 'the original upload is deleted').to.equal(false);

    const again = await app.post(`${PHOTOS}/uploads/confirm`).set(as(u)).send({ key: upload.key });
    expect([again.status, again.body.error.code]).to.deep.equal([404, 'UPLOAD_NOT_FOUND']);
  });

  it('S3 refuses uploads outside the policy: too big, another type, another key', async () => {
    const u = await signupUser();
    const ticket = (await ticketFor(u, 'image/png', 1000)).body.upload;
    const tooBig = Buffer.concat([await png(), Buffer.alloc(config.uploads.maxBytes)]);
    expect(await postToStorage(ticket, tooBig, 'image/png')).to.be.within(400, 499);
    expect(await postToStorage(ticket, HTML_AS_JPEG, 'text/html')).to.be.within(400, 499);
    const elsewhere = `uploads/${u.id}/${'0'.repeat(32)}`;
    expect(await postToStorage(ticket, await png(), 'image/png', elsewhere)).to.be.within(400, 499);
    expect(await exists(ticket.key)).to.equal(false);
    expect(await exists(elsewhere)).to.equal(false);
  });

  it('refuses tickets for non-images and over-limit sizes', async () => {
    const u = await signupUser();
    const html = await ticketFor(u, 'text/html', 100);
    expect([html.status, html.body.error.code]).to.deep.equal([400, 'VALIDATION_FAILED']);
    const svg = await ticketFor(u, 'image/svg+xml', 100);
    expect(svg.status).to.equal(400);
    const big = await ticketFor(u, 'image/png', config.uploads.maxBytes + 1);
    expect([big.status, big.body.error.code]).to.deep.equal([413, 'FILE_TOO_LARGE']);
    expectDocumented(big, 'post', `${PHOTOS}/uploads`);
    const operator = await app
      .post(`${PHOTOS}/uploads`)
      .set(as(u))
      .send({ contentType: { $ne: 'x' }, size: 10 });
    expect(operator.status).to.equal(400);
  });

  it('an upload that is not an image (or a pixel bomb) is refused on confirm and deleted', async () => {
    const u = await signupUser();
    for (const [bytes, status, code] of [
      [HTML_AS_JPEG, 415, 'UNSUPPORTED_IMAGE_TYPE'],
      [pngClaiming(20_000, 20_000), 422, 'IMAGE_TOO_LARGE'],
    ] as const) {
      const ticket = (await ticketFor(u, 'image/png', bytes.length)).body.upload;
      expect(await postToStorage(ticket, bytes, 'image/png')).to.equal(204);
      const res = await app.post(`${PHOTOS}/uploads/confirm`).set(as(u)).send({ key: ticket.key });
      expect([res.status, res.body.error.code]).to.deep.equal([status, code]);
      expect(await exists(ticket.key)).to.equal(false);
    }
    expect(await storedObjects(u.id)).to.deep.equal([]);
  });

  it('one cannot confirm another user’s upload', async () => {
    const [owner, thief] = await Promise.all([signupUser(), signupUser()]);
    const ticket = (await ticketFor(owner, 'image/png', 1000)).body.upload;
    expect(await postToStorage(ticket, await png(), 'image/png')).to.equal(204);
    for (const key of [ticket.key, `../${ticket.key}`, `uploads/${thief.id}/../${owner.id}/${ticket.key.split('/').pop()}`]) {
      const res = await app.post(`${PHOTOS}/uploads/confirm`).set(as(thief)).send({ key });
      expect([res.status, res.body.error.code]).to.deep.equal([404, 'UPLOAD_NOT_FOUND']);
    }
    expect(await exists(ticket.key)).to.equal(true);
  });

  it('replacing the avatar through the API deletes the old objects from the bucket', async () => {
    const { before, after } = await replaceAvatar(app, await signupUser());
    expect(before).to.have.length(3);
    for (const key of before) expect(await exists(key), key).to.equal(false);
    for (const key of after) expect(await exists(key), key).to.equal(true);
  });
});
