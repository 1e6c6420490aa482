import { expect } from 'chai';
import { CONV, group, oggVoice, send, settledUpload } from './support/chat-media.js';
import { useCloudinaryApp, type CloudinaryApp, type StandIn } from './support/cloudinary-standin.js';
import { openMedia } from './support/posts.js';
import { bearer } from './support/users.js';

/** Chat attachments on Cloudinary (a local stand-in that checks every signature): authenticated uploads, signed downloads. */
describe('chat attachments with Cloudinary storage', function () {
  this.timeout(60_000);
  const standIn = useCloudinaryApp();
  let cloud: StandIn;
  let app: CloudinaryApp['app'];
  before(() => ({ cloud, app } = standIn));

  it('takes a voice note by a signed private upload, serves it by signed download, and deletes it with its message', async () => {
    const { ana, ben, conversationId } = await group();
    const bytes = await oggVoice(1);
    const ticket = await app
      .post(`${CONV}/${conversationId}/attachments/uploads`)
      .set(bearer(ana.accessToken))
      .send({ kind: 'voice', bytes: bytes.length });
    expect(ticket.status, JSON.stringify(ticket.body)).to.equal(201);
    const { attachment, upload } = ticket.body;
    expect(upload.fields).to.include({ type: 'private', public_id: `private/chat/${attachment.id}/src/upload.bin` });

    // A form altered by the client (another key) fails the signature; the ticket's own succeeds.
    const post = async (fields: Record<string, string>) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('file', new Blob([new Uint8Array(bytes)]), 'note.ogg');
      return (await fetch(upload.url, { method: 'POST', body: form })).status;
    };
    expect(await post({ ...upload.fields, public_id: 'private/posts/elsewhere' })).to.equal(401);
    expect(await post(upload.fields)).to.equal(200);
    const done = await app.post(`${CONV}/${conversationId}/attachments/${attachment.id}/complete`).set(bearer(ana.accessToken));
    expect(done.status, JSON.stringify(done.body)).to.equal(202);
    const ready = await settledUpload(ana, conversationId, attachment.id, app);
    expect(ready.status, ready.failReason).to.equal('ready');
    const prefix = `private/chat/${attachment.id}/`;
    expect([...cloud.privateRaw.keys()].filter((k) => k.startsWith(prefix))).to.deep.equal([`${prefix}voice.m4a`]);

    const sent = await send(ana, conversationId, { attachmentId: attachment.id }, app);
    expect(sent.status).to.equal(201);
    const history = await app.get(`${CONV}/${conversationId}/messages`).set(bearer(ben.accessToken));
    const opened = await openMedia(history.body.messages.at(-1).attachment.urls.audio, app);
    expect(opened.status).to.equal(302);
    const audio = await fetch(opened.headers.location!);
    expect(audio.status).to.equal(200);
    expect(Buffer.from(await audio.arrayBuffer()).toString('latin1', 4, 8)).to.equal('ftyp');

    const removed = await app.delete(`${CONV}/${conversationId}/messages/${sent.body.message.id}`).set(bearer(ana.accessToken));
    expect(removed.status).to.equal(204);
    expect([...cloud.privateRaw.keys()].filter((k) => k.startsWith(prefix))).to.deep.equal([]);
  });
});
