import { expect } from 'chai';
import { config } from '../config/index.js';
import { CONV, group, oggVoice, pdf, readyAttachment, send, settledUpload } from './support/chat-media.js';
import { jpeg } from './support/images.js';
import { mp4 } from './support/media.js';
import { expectDocumented } from './support/openapi.js';
import { openMedia } from './support/posts.js';
import { s3Endpoint, useS3App } from './support/s3.js';
import { bearer, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);

/** Chat attachments on a real S3-compatible server (SeaweedFS: SigV4 and presigned POST conditions checked). */
describe('chat attachments with S3 storage', function () {
  this.timeout(120_000);
  const bucket = useS3App('chat');

  /** What a phone does with the ticket: a multipart POST of the fields, then the file. */
  async function postToStorage(ticket: { url: string; fields: Record<string, string> }, bytes: Buffer) {
    const form = new FormData();
    for (const [k, v] of Object.entries(ticket.fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(bytes)]), 'upload');
    const res = await fetch(ticket.url, { method: 'POST', body: form });
    await res.arrayBuffer();
    return res.status;
  }

  it('takes a picture straight to the bucket by ticket, serves it by presigned link, and deletes it with its message', async () => {
    const { app, keys, bucket: name } = bucket;
    const { ana, ben, carl, conversationId } = await group();
    const bytes = await jpeg(900, 600);
    const ticket = await app
      .post(`${CONV}/${conversationId}/attachments/uploads`)
      .set(as(ana))
      .send({ kind: 'image', bytes: bytes.length });
    expect(ticket.status, JSON.stringify(ticket.body)).to.equal(201);
    expectDocumented(ticket, 'post', `${CONV}/{id}/attachments/uploads`);
    const { attachment, upload } = ticket.body;
    expect(upload.key).to.equal(`private/chat/${attachment.id}/src/upload.bin`);
    expect(attachment.status).to.equal('uploading');
    // A stranger gets no ticket, and completing before the upload is there is refused.
    const strangers = await app
      .post(`${CONV}/${conversationId}/attachments/uploads`)
      .set(as(carl))
      .send({ kind: 'image', bytes: 10 });
    expect(strangers.status).to.equal(404);
    const early = await app.post(`${CONV}/${conversationId}/attachments/${attachment.id}/complete`).set(as(ana));
    expect(early.body.error.code).to.equal('UPLOAD_NOT_FOUND');
    // The bucket itself refuses a file past the ticket's size.
    const huge = Buffer.alloc(config.chat.media.maxBytes.image + 1, 7);
    expect(await postToStorage(upload, huge)).to.be.within(400, 499);

    expect(await postToStorage(upload, bytes)).to.equal(204);
    const completed = await app.post(`${CONV}/${conversationId}/attachments/${attachment.id}/complete`).set(as(ana));
    expect(completed.status, JSON.stringify(completed.body)).to.equal(202);
    expectDocumented(completed, 'post', `${CONV}/{id}/attachments/{attachmentId}/complete`);
    const ready = await settledUpload(ana, conversationId, attachment.id, app);
    expect(ready.status, ready.failReason).to.equal('ready');
    const prefix = `private/chat/${attachment.id}/`;
    expect(await keys(prefix)).to.have.members(['thumb', 'card', 'full'].map((v) => `${prefix}img/${v}.webp`));

    const sent = await send(ana, conversationId, { attachmentId: attachment.id }, app);
    expect(sent.status, JSON.stringify(sent.body)).to.equal(201);
    const history = await app.get(`${CONV}/${conversationId}/messages`).set(as(ben));
    const benLink = history.body.messages.at(-1).attachment.urls.full;
    // Nobody reads the bucket without a signature; Ben's link redirects to a presigned GET.
    expect((await fetch(`${s3Endpoint}/${name}/${prefix}img/full.webp`)).status).to.equal(403);
    const opened = await openMedia(benLink, app);
    expect(opened.status).to.equal(302);
    const presigned = await fetch(opened.headers.location!);
    expect(presigned.status).to.equal(200);
    expect(Buffer.from(await presigned.arrayBuffer()).toString('latin1', 8, 12)).to.equal('WEBP');

    // The ticket still lives: an upload put back after processing goes with the attachment too.
    expect(await postToStorage(upload, bytes)).to.equal(204);
    expect(await keys(`${prefix}src/`)).to.have.length(1);
    expect((await app.delete(`${CONV}/${conversationId}/messages/${sent.body.message.id}`).set(as(ana))).status).to.equal(204);
    expect(await keys(prefix)).to.deep.equal([]);
    expect((await openMedia(benLink, app)).status).to.equal(404);
  });

  it('stores videos, voice notes and files in the bucket, each served by presigned links', async () => {
    const { app, keys } = bucket;
    const { ana, ben, conversationId } = await group();
    const video = await readyAttachment(ana, conversationId, 'video', await mp4(2), 'clip.mp4', app);
    const voice = await readyAttachment(ana, conversationId, 'voice', await oggVoice(1), 'note.ogg', app);
    const file = await readyAttachment(ana, conversationId, 'file', pdf(), 'minutes.pdf', app);
    expect(await keys(`private/chat/${video.id}/`)).to.have.members([
      `private/chat/${video.id}/video.mp4`,
      `private/chat/${video.id}/poster.jpg`,
    ]);
    expect(await keys(`private/chat/${voice.id}/`)).to.deep.equal([`private/chat/${voice.id}/voice.m4a`]);
    expect(await keys(`private/chat/${file.id}/`)).to.deep.equal([`private/chat/${file.id}/file.pdf`]);
    for (const a of [video, voice, file]) {
      expect((await send(ana, conversationId, { attachmentId: a.id }, app)).status).to.equal(201);
    }
    const history = await app.get(`${CONV}/${conversationId}/messages`).set(as(ben));
    const [v, n, f] = history.body.messages.slice(-3).map((m: { attachment: { urls: Record<string, string> } }) => m.attachment);
    const fetched = async (link: string) => {
      const res = await openMedia(link, app);
      expect(res.status).to.equal(302);
      return fetch(res.headers.location!);
    };
    expect((await fetched(v.urls.video)).headers.get('content-type')).to.equal('video/mp4');
    expect((await fetched(n.urls.audio)).headers.get('content-type')).to.equal('audio/mp4');
    const download = await fetched(f.urls.file);
    expect(download.headers.get('content-disposition')).to.match(/^attachment; filename="minutes.pdf"/);
    expect(Buffer.from(await download.arrayBuffer()).toString('latin1', 0, 5)).to.equal('%PDF-');
  });
});
