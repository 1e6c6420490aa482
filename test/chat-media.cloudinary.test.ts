import { expect } from 'chai';
import { attach, CONV, group, oggVoice, send, settledUpload } from './support/chat-media.js';
import { useCloudinaryApp, type CloudinaryApp, type StandIn } from './support/cloudinary-standin.js';
import { openMedia } from './support/posts.js';
import { bearer } from './support/users.js';

/** Chat attachments on Cloudinary (a local stand-in that checks every signature): uploads through the API, signed downloads. */
describe('chat attachments with Cloudinary storage', function () {
  this.timeout(60_000);
  const standIn = useCloudinaryApp();
  let cloud: StandIn;
  let app: CloudinaryApp['app'];
  before(() => ({ cloud, app } = standIn));

  it('gives no upload ticket (a raw one stored any resource type); takes a voice note through the API, serves it by signed download, deletes it with its message', async () => {
    const { ana, ben, conversationId } = await group();
    const bytes = await oggVoice(1);
    const ticket = await app
      .post(`${CONV}/${conversationId}/attachments/uploads`)
      .set(bearer(ana.accessToken))
      .send({ kind: 'voice', bytes: bytes.length });
    expect([ticket.status, ticket.body.error?.code]).to.deep.equal([409, 'DIRECT_UPLOAD_UNAVAILABLE']);
    const uploaded = await attach(ana, conversationId, 'voice', bytes, 'note.ogg', app);
    expect(uploaded.status, JSON.stringify(uploaded.body)).to.equal(202);
    const attachment = uploaded.body.attachment as { id: string };
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
