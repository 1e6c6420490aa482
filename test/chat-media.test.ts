import { expect } from 'chai';
import type { Response } from 'supertest';
import sharp from 'sharp';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { config } from '../config/index.js';
import { ChatAttachment } from '../models/chat-attachment.model.js';
import { Conversation, ConversationMember } from '../models/conversation.model.js';
import { QuotaCounter } from '../models/quota-counter.model.js';
import { utcDay } from '../utils/clock.js';
import { reapDroppedAttachments } from '../services/chat/attachment.service.js';
import { backfillGroupFloors, backfillReplyNumbers } from '../services/chat/group-floors.js';
import { Message } from '../models/message.model.js';
import { mediaLinks } from '../services/storage/media-links.js';
import { createStorageProvider } from '../services/storage/storage.service.js';
import { api } from './support/app.js';
import { collect, emitAck, eventually, nextEvent, useSocketServer, type Pushed } from './support/chat.js';
import {
  attach,
  CONV,
  elf,
  group,
  oggVoice,
  pdf,
  readyAttachment,
  send,
  settledUpload,
  storedLocally,
  uploadsWaiting,
  windowsExe,
} from './support/chat-media.js';
import { connect } from './support/connections.js';
import { jpeg, png } from './support/images.js';
import { mp4 } from './support/media.js';
import { expectDocumented } from './support/openapi.js';
import { readingOf, uploadCheckRefusal } from './support/upload-check.js';
import { mediaKeyOf, openMedia } from './support/posts.js';
import { bearer, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
// Worked out here, not by the code under test: a wrong helper would agree with itself.
const largestAttachment = () => Math.max(...Object.values(config.chat.media.maxBytes));

/** A link signed for another viewer: the same key and expiry, `v` swapped (the signature no longer matches). */
const forViewer = (link: string, viewer: string) => {
  const url = new URL(link);
  url.searchParams.set('v', viewer);
  return url.toString();
};

describe('chat attachments (local storage)', function () {
  this.timeout(120_000);
  const devices = useSocketServer();

  it('sends a picture stripped of its metadata, with links signed for each member that no one else can use', async () => {
    const { ana, ben, carl, conversationId } = await group();
    const anaSocket = await devices.connect(ana);
    const benSocket = await devices.connect(ben);
    const readyEvent = nextEvent(anaSocket, 'chat:attachment', () => true, 60_000);
    const uploaded = await attach(ana, conversationId, 'image', await jpeg(1200, 900), 'IMG_0001.jpg');
    expect(uploaded.status, JSON.stringify(uploaded.body)).to.equal(202);
    expectDocumented(uploaded, 'post', `${CONV}/{id}/attachments`);
    expect(uploaded.body.attachment).to.include({ kind: 'image', status: 'processing', sent: false });
    const told = await readyEvent;
    expect(told).to.include({ id: uploaded.body.attachment.id, status: 'ready' });
    const upload = await settledUpload(ana, conversationId, uploaded.body.attachment.id);

    const benHears = nextEvent(benSocket, 'chat:message');
    const sent = await send(ana, conversationId, { attachmentId: upload.attachment!.id, text: 'look' });
    expect(sent.status, JSON.stringify(sent.body)).to.equal(201);
    expectDocumented(sent, 'post', `${CONV}/{id}/messages`);
    expect(sent.body.message.attachment).to.include({ id: upload.attachment!.id, kind: 'image', width: 1200, height: 900 });
    expect(Object.keys(sent.body.message.attachment.urls)).to.have.members(['thumb', 'card', 'full']);

    // Ben's copy carries links signed for Ben; they open for him and show a clean picture.
    const heard = await benHears;
    const benFull = (heard.attachment as { urls: Record<string, string> }).urls.full!;
    expect(new URL(benFull).searchParams.get('v')).to.equal(ben.id);
    const opened = await openMedia(benFull);
    expect(opened.status).to.equal(200);
    expect(opened.headers['content-type']).to.equal('image/webp');
    expect(opened.headers['cache-control']).to.match(/^private, max-age=\d+$/);
    const meta = await sharp(opened.body as Buffer).metadata();
    expect(meta.format).to.equal('webp');
    expect(meta.exif, 'no EXIF left').to.equal(undefined);

    // Carl cannot make Ben's link his own, nor upload into or read the conversation.
    expect((await openMedia(forViewer(benFull, carl.id))).body.toString()).to.include('LINK_INVALID');
    expect((await openMedia(forViewer(benFull, carl.id))).status).to.equal(403);
    expect((await attach(carl, conversationId, 'image', await png())).status).to.equal(404);
    const peek = await (await api()).get(`${CONV}/${conversationId}/attachments/${upload.attachment!.id}`).set(as(carl));
    expect(peek.status).to.equal(404);
    // A link Carl would need is one the server signed for him: never given, and refused if made.
    const forCarl = mediaLinks.linkFor(mediaKeyOf(benFull), carl.id);
    expect((await openMedia(forCarl)).status).to.equal(404);

    // History gives each member their own links.
    const history = await (await api()).get(`${CONV}/${conversationId}/messages`).set(as(ben));
    expectDocumented(history, 'get', `${CONV}/{id}/messages`);
    const inHistory = history.body.messages.find((m: { id: string }) => m.id === sent.body.message.id);
    expect(new URL(inHistory.attachment.urls.thumb).searchParams.get('v')).to.equal(ben.id);

    // An attachment goes out once: a second send of it, by anyone, is refused.
    const again = await send(ana, conversationId, { attachmentId: upload.attachment!.id });
    expect(again.status).to.equal(400);
    expect(again.body.error.code).to.equal('INVALID_ATTACHMENT');
    const stolen = await send(ben, conversationId, { attachmentId: upload.attachment!.id });
    expect(stolen.body.error.code).to.equal('INVALID_ATTACHMENT');

    // A member who leaves (is removed) loses the links at once.
    expect((await (await api()).delete(`${CONV}/${conversationId}/members/${ben.id}`).set(as(ana))).status).to.equal(204);
    expect((await openMedia(benFull)).status).to.equal(404);
    expect((await openMedia(sent.body.message.attachment.urls.full)).status, 'Ana still may').to.equal(200);
  });

  it('a member row left behind by a failed removal opens nothing: not the list, not a sync, not a link', async () => {
    const { ana, ben, conversationId } = await group();
    const ready = await readyAttachment(ana, conversationId, 'image', await jpeg(300, 200));
    expect((await send(ana, conversationId, { attachmentId: ready.id })).status).to.equal(201);
    const history = await (await api()).get(`${CONV}/${conversationId}/messages`).set(as(ben));
    const link: string = history.body.messages.at(-1).attachment.urls.full;
    expect((await openMedia(link)).status).to.equal(200);
    expect((await (await api()).delete(`${CONV}/${conversationId}/members/${ben.id}`).set(as(ana))).status).to.equal(204);
    // As if the removal's second write (the member row) had failed.
    await ConversationMember.create({ conversationId, userId: ben.id, role: 'member' });

    const listed = await (await api()).get(CONV).set(as(ben));
    expect(listed.body.conversations.map((c: { id: string }) => c.id)).not.to.include(conversationId);
    const benSocket = await devices.connect(ben);
    const synced = await emitAck(benSocket, 'chat:sync', {});
    expect(synced.ok, JSON.stringify(synced)).to.equal(true);
    expect(JSON.stringify(synced.data)).not.to.include(conversationId);
    expect((await openMedia(link)).status).to.equal(404);
  });

  it('someone added to a group reads from the next message: not the history, sync or attachments before, nor what was said while out', async () => {
    const { ana, ben, carl, conversationId } = await group();
    await connect(ana, carl);
    const client = await api();
    const texts = async (u: SignedUp) => {
      const page = await client.get(`${CONV}/${conversationId}/messages`).set(as(u));
      expect(page.status, JSON.stringify(page.body)).to.equal(200);
      return { texts: page.body.messages.map((m: { text?: string }) => m.text ?? 'attachment'), before: page.body.before };
    };
    const ready = await readyAttachment(ana, conversationId, 'image', await jpeg(300, 200));
    expect((await send(ana, conversationId, { attachmentId: ready.id })).status).to.equal(201);
    expect((await send(ben, conversationId, { text: 'before carl' })).status).to.equal(201);
    const picture: string = (await client.get(`${CONV}/${conversationId}/messages`).set(as(ben))).body.messages[0].attachment.urls
      .full;

    expect((await client.post(`${CONV}/${conversationId}/members`).set(as(ana)).send({ userId: carl.id })).status).to.equal(204);
    expect(await texts(carl)).to.deep.equal({ texts: [], before: null });
    const listed = await client.get(CONV).set(as(carl));
    expect(listed.body.conversations.find((c: { id: string }) => c.id === conversationId).unread).to.equal(0);
    expect((await send(ana, conversationId, { text: 'welcome' })).status).to.equal(201);
    expect(await texts(carl)).to.deep.equal({ texts: ['welcome'], before: null });
    expect((await texts(ben)).texts).to.deep.equal(['attachment', 'before carl', 'welcome']);
    const carlSocket = await devices.connect(carl);
    const synced = await emitAck(carlSocket, 'chat:sync', { since: `${Date.now() - 3_600_000}_` });
    expect(synced.data.messages.map((m) => m.text)).to.deep.equal(['welcome']);
    // Nor does he hear an earlier message's edit, or act on one.
    const earlier = (await client.get(`${CONV}/${conversationId}/messages`).set(as(ben))).body.messages.find(
      (m: { text?: string }) => m.text === 'before carl',
    ).id as string;
    const edits = collect(carlSocket, 'chat:edited');
    const sentinel = nextEvent(carlSocket, 'chat:message');
    const benSocket = await devices.connect(ben);
    expect((await emitAck(benSocket, 'chat:edit', { messageId: earlier, text: 'before carl, edited' })).ok).to.equal(true);
    expect((await send(ana, conversationId, { text: 'after the edit' })).status).to.equal(201);
    await sentinel;
    expect(edits).to.deep.equal([]);
    expect((await emitAck(carlSocket, 'chat:react', { messageId: earlier, emoji: '👍' })).error?.code).to.equal('NOT_FOUND');
    // A link made out to Carl for the picture sent before he came opens nothing.
    expect((await openMedia(mediaLinks.linkFor(mediaKeyOf(picture), carl.id))).status).to.equal(404);
    expect((await openMedia(mediaLinks.linkFor(mediaKeyOf(picture), ben.id))).status).to.equal(200);

    // His member row missing (an add or a removal half done): nothing before now, not everything.
    const row = (await ConversationMember.findOne({ conversationId, userId: carl.id }).lean())!;
    await ConversationMember.deleteOne({ _id: row._id });
    expect(await texts(carl)).to.deep.equal({ texts: [], before: null });
    await ConversationMember.create(row);

    // Removed, then added back: what was said meanwhile is not his.
    expect((await client.delete(`${CONV}/${conversationId}/members/${carl.id}`).set(as(ana))).status).to.equal(204);
    expect((await send(ben, conversationId, { text: 'while carl was out' })).status).to.equal(201);
    expect((await client.post(`${CONV}/${conversationId}/members`).set(as(ana)).send({ userId: carl.id })).status).to.equal(204);
    expect((await send(ana, conversationId, { text: 'welcome back' })).status).to.equal(201);
    expect(await texts(carl)).to.deep.equal({ texts: ['welcome back'], before: null });
  });

  it('someone added to a group is told nothing of what came before: not its last message, nor a deletion of or a receipt for an earlier one', async () => {
    const { ana, ben, carl, conversationId } = await group();
    await connect(ana, carl);
    const client = await api();
    expect((await send(ben, conversationId, { text: 'first' })).status).to.equal(201);
    const second = (await send(ben, conversationId, { text: 'second' })).body.message.id as string;
    const first = (await client.get(`${CONV}/${conversationId}/messages`).set(as(ben))).body.messages[0].id as string;
    // The last-message record is written off the send's path.
    const lastOf = async (u: SignedUp) =>
      (await client.get(`${CONV}/${conversationId}`).set(as(u))).body.conversation.lastMessage as { id: string } | null;
    await eventually(async () => (await lastOf(ben))?.id === second, 3000, 'the last message recorded');
    const [anaSocket, benSocket, carlSocket] = await Promise.all([
      devices.connect(ana),
      devices.connect(ben),
      devices.connect(carl),
    ]);
    const lastMessageOf = (update: Pushed<'conversation:updated'>) => ('lastMessage' in update ? update.lastMessage : undefined);
    const carlUpdates = collect(carlSocket, 'conversation:updated');
    const benUpdated = nextEvent(benSocket, 'conversation:updated');
    const carlUpdated = nextEvent(carlSocket, 'conversation:updated');

    expect((await client.post(`${CONV}/${conversationId}/members`).set(as(ana)).send({ userId: carl.id })).status).to.equal(204);
    // Ben, there all along, hears of the last message; Carl, new, of none: its id, sender and time are not his.
    expect(lastMessageOf(await benUpdated)).to.include({ id: second, senderId: ben.id });
    expect(lastMessageOf(await carlUpdated)).to.equal(null);
    expect(JSON.stringify(carlUpdates)).not.to.include(second);
    // Nor its time: his view of the group's activity starts when he came in.
    const cameIn = (await ConversationMember.findOne({ conversationId, userId: carl.id }).lean())!.historyFromAt!.toISOString();
    expect((await carlUpdated) as { lastMessageAt: string }).to.include({ lastMessageAt: cameIn });
    const opened = await client.get(`${CONV}/${conversationId}`).set(as(carl));
    expectDocumented(opened, 'get', '/api/v1/conversations/{id}');
    expect(opened.body.conversation).to.include({ lastMessage: null, lastMessageAt: cameIn });
    const listed = await client.get(CONV).set(as(carl));
    expect(listed.body.conversations.find((c: { id: string }) => c.id === conversationId)).to.include({
      lastMessage: null,
      lastMessageAt: cameIn,
    });
    // Made an admin, Carl names another: the members from before still see the last message.
    const promoted = await client.patch(`${CONV}/${conversationId}/members/${carl.id}`).set(as(ana)).send({ role: 'admin' });
    expect(promoted.status, JSON.stringify(promoted.body)).to.be.oneOf([200, 204]);
    const benUpdatedAgain = nextEvent(benSocket, 'conversation:updated', (u) => 'admins' in u && !!u.admins?.includes(ben.id));
    const named = await client.patch(`${CONV}/${conversationId}/members/${ben.id}`).set(as(carl)).send({ role: 'admin' });
    expect(named.status, JSON.stringify(named.body)).to.be.oneOf([200, 204]);
    expect(lastMessageOf(await benUpdatedAgain)).to.include({ id: second, senderId: ben.id });
    expect(JSON.stringify(carlUpdates)).not.to.include(second);

    // An earlier message deleted, another read by Ana: Ben hears both, Carl neither.
    const carlHears = [collect(carlSocket, 'chat:deleted'), collect(carlSocket, 'chat:read')];
    const benHearsDeleted = nextEvent(benSocket, 'chat:deleted');
    const benHearsRead = nextEvent(benSocket, 'chat:read');
    expect((await emitAck(benSocket, 'chat:delete', { messageId: second })).ok).to.equal(true);
    expect((await emitAck(anaSocket, 'chat:read', { conversationId, upToMessageId: first })).ok).to.equal(true);
    expect((await benHearsDeleted).id).to.equal(second);
    expect((await benHearsRead).upToMessageId).to.equal(first);
    // Nor may he name one of them as read.
    const readEarlier = await emitAck(carlSocket, 'chat:read', { conversationId, upToMessageId: first });
    expect(readEarlier.error?.code).to.equal('NOT_FOUND');
    const sentinel = nextEvent(carlSocket, 'chat:message');
    expect((await send(ana, conversationId, { text: 'welcome' })).status).to.equal(201);
    const welcome = await sentinel;
    expect(carlHears).to.deep.equal([[], []]);
    // A reply to an earlier message reaches him without naming it (live, edited, in history and
    // in sync); the others see what it answers. Nor may he reply to one.
    const carlReply = nextEvent(carlSocket, 'chat:message');
    const anaReply = nextEvent(anaSocket, 'chat:message');
    const reply = await send(ben, conversationId, { text: 'about first', replyToId: first });
    expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
    const replyId = reply.body.message.id as string;
    expect((await anaReply).replyToId).to.equal(first);
    expect(await carlReply)
      .to.include({ id: replyId })
      .and.not.have.property('replyToId');
    const carlEdited = nextEvent(carlSocket, 'chat:edited');
    const anaEdited = nextEvent(anaSocket, 'chat:edited');
    expect((await emitAck(benSocket, 'chat:edit', { messageId: replyId, text: 'about first, edited' })).ok).to.equal(true);
    expect((await anaEdited).replyToId).to.equal(first);
    expect(await carlEdited).not.to.have.property('replyToId');
    const carlPage = (await client.get(`${CONV}/${conversationId}/messages`).set(as(carl))).body.messages as { id: string }[];
    expect(carlPage.find((m) => m.id === replyId))
      .to.include({ text: 'about first, edited' })
      .and.not.have.property('replyToId');
    const anaPage = (await client.get(`${CONV}/${conversationId}/messages`).set(as(ana))).body.messages as { id: string }[];
    expect(anaPage.find((m) => m.id === replyId)).to.include({ replyToId: first });
    const synced = await emitAck(carlSocket, 'chat:sync', { since: `${Date.now() - 3_600_000}_` });
    expect(synced.data.messages.find((m) => m.id === replyId)).to.exist.and.not.have.property('replyToId');
    const refused = await send(carl, conversationId, { text: 'about first too', replyToId: first });
    expect([refused.status, refused.body.error?.code]).to.deep.equal([400, 'INVALID_REPLY']);
    // A reply stored before replies kept their target's number: named only to members from the
    // start until the migration numbers it.
    await Message.updateOne({ _id: replyId }, { $unset: { replyToSeq: 1 } });
    const unnumbered = (await client.get(`${CONV}/${conversationId}/messages`).set(as(carl))).body.messages as { id: string }[];
    expect(unnumbered.find((m) => m.id === replyId)).to.exist.and.not.have.property('replyToId');
    expect(await backfillReplyNumbers()).to.be.at.least(1);
    expect((await Message.findById(replyId, { replyToSeq: 1 }).lean())?.replyToSeq)
      .to.be.a('number')
      .and.below(welcome.seq);
    // From his first message on, the conversation shows him its last message as to anyone.
    await eventually(async () => (await lastOf(carl))?.id === replyId, 3000, 'the reply shown as the last message');
    expect((await emitAck(carlSocket, 'chat:read', { conversationId, upToMessageId: welcome.id })).ok).to.equal(true);
  });

  it('a group from before its highest floor was kept still hides earlier messages from a late member; the migration sets the floor', async () => {
    const { ana, ben, carl, conversationId } = await group();
    await connect(ana, carl);
    const client = await api();
    const old = (await send(ben, conversationId, { text: 'old' })).body.message.id as string;
    expect((await Conversation.findById(conversationId, { maxHistoryFromSeq: 1 }).lean())?.maxHistoryFromSeq).to.equal(0);
    expect((await client.post(`${CONV}/${conversationId}/members`).set(as(ana)).send({ userId: carl.id })).status).to.equal(204);
    const floor = (await ConversationMember.findOne({ conversationId, userId: carl.id }).lean())!.historyFromSeq!;
    expect((await Conversation.findById(conversationId, { maxHistoryFromSeq: 1 }).lean())?.maxHistoryFromSeq).to.equal(floor);
    // As a group stored before the deploy: no highest floor.
    await Conversation.updateOne({ _id: conversationId }, { $unset: { maxHistoryFromSeq: 1 } });
    const [benSocket, carlSocket] = await Promise.all([devices.connect(ben), devices.connect(carl)]);
    const carlHears = collect(carlSocket, 'chat:deleted');
    const benHears = nextEvent(benSocket, 'chat:deleted');
    expect((await emitAck(benSocket, 'chat:delete', { messageId: old })).ok).to.equal(true);
    await benHears;
    expect((await emitAck(carlSocket, 'chat:read', { conversationId, upToMessageId: old })).error?.code).to.equal('NOT_FOUND');
    const sentinel = nextEvent(carlSocket, 'chat:message');
    expect((await send(ana, conversationId, { text: 'after' })).status).to.equal(201);
    await sentinel;
    expect(carlHears).to.deep.equal([]);
    expect(await backfillGroupFloors()).to.be.at.least(1);
    expect((await Conversation.findById(conversationId, { maxHistoryFromSeq: 1 }).lean())?.maxHistoryFromSeq).to.equal(floor);
    // An older release's process adding him during a rolling deploy: a floor kept too low, his
    // row without the time he came in. Running the migration again mends both.
    await Conversation.updateOne({ _id: conversationId }, { $set: { maxHistoryFromSeq: 0 } });
    await ConversationMember.updateOne({ conversationId, userId: carl.id }, { $unset: { historyFromAt: 1 } });
    await backfillGroupFloors();
    expect((await Conversation.findById(conversationId, { maxHistoryFromSeq: 1 }).lean())?.maxHistoryFromSeq).to.equal(floor);
    const mended = (await ConversationMember.findOne({ conversationId, userId: carl.id }).lean())!;
    expect(mended.historyFromAt?.getTime()).to.equal(mended.createdAt.getTime());
    // His row gone (an add racing a removal) while he is listed: nothing before now, not everything.
    await ConversationMember.deleteOne({ _id: mended._id });
    expect((await client.get(`${CONV}/${conversationId}`).set(as(carl))).body.conversation.lastMessage).to.equal(null);
    // Nor may he reply to a message from before he came in.
    const reply = await send(carl, conversationId, { text: 'about old', replyToId: old });
    expect([reply.status, reply.body.error?.code]).to.deep.equal([400, 'INVALID_REPLY']);
  });

  it('a listed member without a row may reply to nothing from before now, even a message every member sees', async () => {
    const { ana, carl, conversationId } = await group();
    await connect(ana, carl);
    expect((await send(ana, conversationId, { text: 'before carl' })).status).to.equal(201);
    expect(
      (await (await api()).post(`${CONV}/${conversationId}/members`).set(as(ana)).send({ userId: carl.id })).status,
    ).to.equal(204);
    const seen = (await send(ana, conversationId, { text: 'after carl' })).body.message as { id: string; seq: number };
    const group_ = (await Conversation.findById(conversationId, { maxHistoryFromSeq: 1 }).lean())!;
    expect(seen.seq).to.be.at.least(group_.maxHistoryFromSeq!);
    // His row gone (an add racing a removal) while he is listed.
    await ConversationMember.deleteOne({ conversationId, userId: carl.id });
    const reply = await send(carl, conversationId, { text: 'about it', replyToId: seen.id });
    expect([reply.status, reply.body.error?.code]).to.deep.equal([400, 'INVALID_REPLY']);
  });

  it('a member row left behind by a removal racing an add tells its owner nothing of the group', async () => {
    const { ana, ben, carl, conversationId } = await group();
    // Carl is no member; a row of his survived (as when a removal deletes between an add's two writes).
    await ConversationMember.create({ conversationId, userId: carl.id, historyFromSeq: 999, historyFromAt: new Date() });
    await Conversation.updateOne({ _id: conversationId }, { $max: { maxHistoryFromSeq: 999 } });
    const [benSocket, carlSocket] = await Promise.all([devices.connect(ben), devices.connect(carl)]);
    const carlHears = collect(carlSocket, 'conversation:updated');
    const benHears = nextEvent(benSocket, 'conversation:updated');
    const named = await (await api()).patch(`${CONV}/${conversationId}/members/${ben.id}`).set(as(ana)).send({ role: 'admin' });
    expect(named.status, JSON.stringify(named.body)).to.be.oneOf([200, 204]);
    await benHears;
    expect(carlHears).to.deep.equal([]);
  });

  it('refuses an expired link', async () => {
    const { ana, conversationId } = await group();
    const ready = await readyAttachment(ana, conversationId, 'image', await png(200, 100));
    const sent = await send(ana, conversationId, { attachmentId: ready.id });
    const key = mediaKeyOf(sent.body.message.attachment.urls.card);
    const expired = mediaLinks.linkUntil(key, Math.floor(Date.now() / 1000) - 1, ana.id);
    const res = await openMedia(expired);
    expect(res.status).to.equal(403);
    expect(JSON.parse(res.body.toString()).error.code).to.equal('LINK_EXPIRED');
  });

  it('turns a video into a web-playable MP4 and a poster, within the length limit', async () => {
    const { ana, ben, conversationId } = await group();
    const ready = await readyAttachment(ana, conversationId, 'video', await mp4(2, '1280x720'), 'clip.mp4');
    const sent = await send(ana, conversationId, { attachmentId: ready.id });
    const attachment = sent.body.message.attachment;
    expect(attachment).to.include({ kind: 'video', width: 1280, height: 720 });
    expect(attachment.durationSec).to.be.within(1.5, 2.5);
    const history = await (await api()).get(`${CONV}/${conversationId}/messages`).set(as(ben));
    const benCopy = history.body.messages.at(-1).attachment;
    const video = await openMedia(benCopy.urls.video);
    expect(video.status).to.equal(200);
    expect(video.headers['content-type']).to.equal('video/mp4');
    expect((video.body as Buffer).toString('latin1', 4, 8)).to.equal('ftyp');
    const poster = await openMedia(benCopy.urls.poster);
    expect((poster.body as Buffer).subarray(0, 3)).to.deep.equal(Buffer.from([0xff, 0xd8, 0xff]));
  });

  it('makes a voice note AAC with its duration, and refuses what is not audio', async () => {
    const { ana, conversationId } = await group();
    const ready = await readyAttachment(ana, conversationId, 'voice', await oggVoice(2), 'note.ogg');
    const sent = await send(ana, conversationId, { attachmentId: ready.id });
    const attachment = sent.body.message.attachment;
    expect(attachment).to.include({ kind: 'voice', type: 'audio/mp4' });
    expect(attachment.durationSec).to.be.within(1.5, 2.5);
    const audio = await openMedia(attachment.urls.audio);
    expect(audio.status).to.equal(200);
    expect((audio.body as Buffer).toString('latin1', 4, 8)).to.equal('ftyp');
    expect((audio.body as Buffer).toString('latin1')).not.to.include('kitchen recording');

    const notAudio = await attach(ana, conversationId, 'voice', await png());
    expect(notAudio.status).to.equal(415);
    expect(notAudio.body.error.code).to.equal('UNSUPPORTED_MEDIA_TYPE');
  });

  it('sends files by their real type and name, as downloads, and never a program', async () => {
    const { ana, ben, conversationId } = await group();
    const ready = await readyAttachment(ana, conversationId, 'file', pdf(), 'report.exe');
    const sent = await send(ana, conversationId, { attachmentId: ready.id });
    expect(sent.body.message.attachment).to.include({ kind: 'file', name: 'report.pdf', type: 'application/pdf' });
    const history = await (await api()).get(`${CONV}/${conversationId}/messages`).set(as(ben));
    const file = await openMedia(history.body.messages.at(-1).attachment.urls.file);
    expect(file.status).to.equal(200);
    expect(file.headers['content-disposition']).to.match(/^attachment; filename="report.pdf"/);
    expect(file.headers['content-type']).to.equal('application/pdf');
    expect(file.headers['x-content-type-options']).to.equal('nosniff');

    const text = await readyAttachment(ana, conversationId, 'file', Buffer.from('notes for the trip\n'), 'notes');
    expect(text).to.include({ name: 'notes.txt', type: 'text/plain' });

    for (const [bytes, name] of [
      [elf(), 'photo.pdf'],
      [windowsExe(), 'setup.txt'],
      [Buffer.from('#!/bin/sh\nrm -rf ~\n'), 'readme.txt'],
      [await png(), 'image.png'], // a picture is sent as an image, not a file (not in CHAT_FILE_TYPES)
    ] as const) {
      const refused = await attach(ana, conversationId, 'file', bytes, name);
      expect(refused.status, name).to.equal(415);
      expect(refused.body.error.code).to.equal('UNSUPPORTED_MEDIA_TYPE');
    }
    expect((await attach(ana, conversationId, 'image', pdf(), 'fake.jpg')).status).to.equal(415);
  });

  it('refuses an upload too large for its kind, and input that is not an attachment', async () => {
    const { ana, conversationId } = await group();
    const tooBig = Buffer.alloc(config.chat.media.maxBytes.voice + 1, 1);
    const res = await attach(ana, conversationId, 'voice', tooBig);
    expect(res.status).to.equal(413);
    expect(res.body.error.code).to.equal('FILE_TOO_LARGE');
    const noKind = await (await api()).post(`${CONV}/${conversationId}/attachments`).set(as(ana)).attach('file', pdf(), 'a.pdf');
    expect(noKind.status).to.equal(400);
    const json = await (await api()).post(`${CONV}/${conversationId}/attachments`).set(as(ana)).send({ kind: 'file' });
    expect(json.body.error.code).to.equal('MULTIPART_REQUIRED');
    const ticket = await (
      await api()
    )
      .post(`${CONV}/${conversationId}/attachments/uploads`)
      .set(as(ana))
      .send({ kind: 'image', bytes: 1000 });
    expect(ticket.body.error.code, 'local storage takes uploads through the API').to.equal('DIRECT_UPLOAD_UNAVAILABLE');
    const operator = await send(ana, conversationId, { attachmentId: { $ne: null } });
    expect(operator.status).to.equal(400);
    // A repeated field is a list, not a kind: refused before anything is stored.
    const twice = await (
      await api()
    )
      .post(`${CONV}/${conversationId}/attachments`)
      .set(as(ana))
      .field('kind', 'file')
      .field('kind', 'file')
      .attach('file', pdf(), 'a.pdf');
    expect(twice.status).to.equal(400);
    expect(await ChatAttachment.countDocuments({ uploaderId: ana.id })).to.equal(0);
  });

  it('writes a file no further than its kind allows, and wants the kind first', async () => {
    const { ana, conversationId } = await group();
    const imageMax = config.chat.media.maxBytes.image;
    // The largest upload the server's disk held while a request ran (the parser writes to this folder).
    const dir = path.join(tmpdir(), 'devtinder-uploads');
    const largestWritten = async (upload: () => Promise<Response>) => {
      let largest = 0;
      let uploading = true;
      const before = new Set(await readdir(dir));
      const sampling = (async () => {
        while (uploading) {
          for (const name of (await readdir(dir)).filter((n) => !before.has(n))) {
            const size = await stat(path.join(dir, name)).then(
              (s) => s.size,
              () => 0,
            );
            largest = Math.max(largest, size);
          }
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      const res = await upload();
      uploading = false;
      await sampling;
      return { res, largest };
    };
    // A picture past a picture's size (not past a video's) is written no further than a picture's.
    // (A PNG by its first bytes, as anything read that far must be.)
    const bigPng = Buffer.concat([await png(), Buffer.alloc(imageMax + 8 * 1024 * 1024, 1)]);
    const picture = await largestWritten(() => attach(ana, conversationId, 'image', bigPng));
    expect([picture.res.status, picture.res.body.error?.code, picture.res.body.error?.details]).to.deep.equal([
      413,
      'FILE_TOO_LARGE',
      { maxBytes: imageMax },
    ]);
    expect(picture.largest).to.be.within(1, imageMax);
    // A "video" whose first bytes are no video's stops there: refused as what it is, not read to a video's 100 MB.
    const junk = await largestWritten(() => attach(ana, conversationId, 'video', Buffer.alloc(8 * 1024 * 1024, 1), 'clip.mp4'));
    expect([junk.res.status, junk.res.body.error?.code]).to.deep.equal([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(junk.largest).to.be.below(256 * 1024);
    // A file before its kind would be written up to the largest kind's size: refused at its first byte.
    const kindLast = await largestWritten(async () =>
      (await api())
        .post(`${CONV}/${conversationId}/attachments`)
        .set(as(ana))
        .attach('file', Buffer.alloc(imageMax + 8 * 1024 * 1024, 1), 'big.png')
        .field('kind', 'image'),
    );
    expect([kindLast.res.status, kindLast.res.body.error?.code, kindLast.largest]).to.deep.equal([400, 'VALIDATION_FAILED', 0]);
    expect(await ChatAttachment.countDocuments({ uploaderId: ana.id })).to.equal(0);
  });

  it("GET /attachments/check (nginx's question before it reads an upload) answers what the upload would hear at its headers, its JSON in a header too", async () => {
    const { ana, ben, carl, conversationId } = await group();
    // nginx says the upload's length (its Content-Length) in X-Upload-Length.
    const check = async (who: SignedUp | undefined, id = conversationId, length: string | null = '1000'): Promise<Response> => {
      const req = (await api()).get(`${CONV}/${id}/attachments/check`);
      if (length !== null) void req.set('X-Upload-Length', length);
      return who ? req.set(as(who)) : req;
    };
    const allowed = await check(ana);
    expect(allowed.status).to.equal(204);
    expectDocumented(allowed, 'get', `${CONV}/{id}/attachments/check`);
    expect(allowed.headers).not.to.have.property('x-error-body');
    const refusal = uploadCheckRefusal(`${CONV}/{id}/attachments/check`);
    // Someone not in it, a conversation that is not there, no one signed in.
    expect(refusal(await check(carl))).to.deep.equal([404, 'NOT_FOUND']);
    expect(refusal(await check(ana, 'f'.repeat(24)))).to.deep.equal([404, 'NOT_FOUND']);
    expect(refusal(await check(undefined))).to.deep.equal([401, 'UNAUTHORIZED']);
    expect(refusal(await check(ana, 'nope'))).to.deep.equal([400, 'VALIDATION_FAILED']);
    // Signed in by cookie, the Origin is held to what the upload (a write) would meet.
    const byCookie = (origin: string) =>
      api().then((a) =>
        a
          .get(`${CONV}/${conversationId}/attachments/check`)
          .set('Cookie', ben.cookies.join('; '))
          .set('Origin', origin)
          .set('X-Upload-Length', '1000'),
      );
    expect(refusal(await byCookie('https://elsewhere.example'))).to.deep.equal([403, 'CSRF_REJECTED']);
    const allowedOrigin = await byCookie('http://app.test');
    expect(allowedOrigin.status, JSON.stringify(allowedOrigin.body)).to.equal(204);
    // An upload that says no length is not read (nothing would stop it short of the largest kind);
    // one longer than the largest kind (and a form's few fields) is refused at its length.
    expect(refusal(await check(ana, conversationId, null))).to.deep.equal([411, 'LENGTH_REQUIRED']);
    expect(refusal(await check(ana, conversationId, 'ten'))).to.deep.equal([400, 'VALIDATION_FAILED']);
    const largest = largestAttachment();
    expect((await check(ana, conversationId, String(largest + 1000))).status).to.equal(204);
    // What each admitted upload says is taken from the day's reading (three days of room), whatever
    // becomes of it: refused uploads are not free.
    const day = utcDay(new Date());
    const reading = () => readingOf('chatReads', ana.id);
    expect(await reading()).to.equal(1000 + largest + 1000);
    const readLimit = 3 * config.chat.media.bytesPerDay;
    await QuotaCounter.updateOne({ _id: `chatReads:${ana.id}:${day}` }, { $set: { used: readLimit - 500 } });
    const readEnough = await check(ana);
    expect(refusal(readEnough)).to.deep.equal([429, 'QUOTA_EXCEEDED']);
    expect(readEnough.body.error.details).to.include({ limit: readLimit });
    expect(await reading()).to.equal(readLimit - 500);
    await QuotaCounter.deleteOne({ _id: `chatReads:${ana.id}:${day}` });
    expect(refusal(await check(ana, conversationId, String(largest + 1024 * 1024)))).to.deep.equal([413, 'FILE_TOO_LARGE']);
    // Less room left today than the upload says it is: refused at its length, the room in its details.
    const limit = config.chat.media.bytesPerDay;
    await QuotaCounter.create({ _id: `chatBytes:${ben.id}:${day}`, userId: ben.id, day, used: limit - 5 * 1024 * 1024 });
    expect((await check(ben, conversationId, String(5 * 1024 * 1024))).status).to.equal(204);
    const pastRoom = await check(ben, conversationId, String(6 * 1024 * 1024));
    expect(refusal(pastRoom)).to.deep.equal([429, 'QUOTA_EXCEEDED']);
    expect(pastRoom.body.error.details).to.include({ limit, remaining: 5 * 1024 * 1024 });
    await QuotaCounter.deleteOne({ _id: `chatBytes:${ben.id}:${day}` });
    // The day's bytes used: the details go with it.
    await QuotaCounter.create({ _id: `chatBytes:${ben.id}:${day}`, userId: ben.id, day, used: config.chat.media.bytesPerDay });
    const used = await check(ben);
    expect(refusal(used)).to.deep.equal([429, 'QUOTA_EXCEEDED']);
    expect(JSON.parse(used.headers['x-error-body'] as string).error.details).to.include({ limit: config.chat.media.bytesPerDay });
    // Uploads waiting: refused as the upload itself is.
    await uploadsWaiting(ana.id, conversationId, 10);
    expect(refusal(await check(ana))).to.deep.equal([429, 'TOO_MANY_UPLOADS']);
    // Other routes' refusals carry no copy of themselves.
    const elsewhere = await (await api()).get(`${CONV}/${'f'.repeat(24)}`).set(as(ana));
    expect(elsewhere.status).to.equal(404);
    expect(elsewhere.headers).not.to.have.property('x-error-body');
  });

  it('caps the uploads one person may have waiting', async () => {
    const { ana, conversationId } = await group();
    await uploadsWaiting(ana.id, conversationId, 10);
    const refused = await attach(ana, conversationId, 'image', await png());
    expect(refused.status).to.equal(429);
    expect(refused.body.error.code).to.equal('TOO_MANY_UPLOADS');
    expect(refused.body.error.details).to.include({ pending: 10 });
    // Before a byte of the body is read: had it been read, a file over every kind's size would answer 413.
    const oversized = await attach(ana, conversationId, 'file', Buffer.alloc(largestAttachment() + 1024 * 1024, 1));
    expect([oversized.status, oversized.body.error?.code]).to.deep.equal([429, 'TOO_MANY_UPLOADS']);
  });

  it("takes each upload's bytes from its sender's day, and refuses one past it before storing anything", async () => {
    const { ana, ben, conversationId } = await group();
    const picture = await png();
    const limit = config.chat.media.bytesPerDay;
    // Nearly a day's worth sent already: room for one more picture, not two.
    await QuotaCounter.create({
      _id: `chatBytes:${ana.id}:${utcDay(new Date())}`,
      userId: ana.id,
      day: utcDay(new Date()),
      used: limit - picture.length - 10,
    });
    expect((await attach(ana, conversationId, 'image', picture)).status).to.equal(202);
    const over = await attach(ana, conversationId, 'image', picture);
    expect([over.status, over.body.error?.code, over.body.error?.details?.limit]).to.deep.equal([429, 'QUOTA_EXCEEDED', limit]);
    expect(await ChatAttachment.countDocuments({ uploaderId: ana.id })).to.equal(1);
    // A little room left: the body is cut off at it, not read up to the largest kind (that answered 413).
    await QuotaCounter.updateOne({ _id: `chatBytes:${ana.id}:${utcDay(new Date())}` }, { $set: { used: limit - 1000 } });
    const pastRoom = await attach(ana, conversationId, 'file', Buffer.alloc(largestAttachment() + 1024 * 1024, 1));
    expect([pastRoom.status, pastRoom.body.error?.code, pastRoom.body.error?.details?.remaining]).to.deep.equal([
      429,
      'QUOTA_EXCEEDED',
      1000,
    ]);
    expect((await QuotaCounter.findById(`chatBytes:${ana.id}:${utcDay(new Date())}`).lean())!.used).to.equal(limit - 1000);
    // Room for more than a picture may be, not for this one: too large for its kind is what it is (413), any day.
    const imageMax = config.chat.media.maxBytes.image;
    await QuotaCounter.updateOne(
      { _id: `chatBytes:${ana.id}:${utcDay(new Date())}` },
      { $set: { used: limit - imageMax - 1000 } },
    );
    const hugePicture = await attach(
      ana,
      conversationId,
      'image',
      Buffer.concat([picture, Buffer.alloc(imageMax + 1024 * 1024, 1)]),
    );
    expect([hugePicture.status, hugePicture.body.error?.code, hugePicture.body.error?.details?.maxBytes]).to.deep.equal([
      413,
      'FILE_TOO_LARGE',
      imageMax,
    ]);
    // With the day used up, refused before a byte of the body is read (else 413 for this one).
    await QuotaCounter.updateOne({ _id: `chatBytes:${ana.id}:${utcDay(new Date())}` }, { $set: { used: limit } });
    const oversized = await attach(ana, conversationId, 'file', Buffer.alloc(largestAttachment() + 1024 * 1024, 1));
    expect([oversized.status, oversized.body.error?.code]).to.deep.equal([429, 'QUOTA_EXCEEDED']);
    // Someone else's day is their own.
    expect((await attach(ben, conversationId, 'image', picture)).status).to.equal(202);
  });

  it('keeps an upload to its conversation, and to its sender until sent', async () => {
    const { ana, ben, conversationId } = await group();
    const other = await (
      await api()
    )
      .post(CONV)
      .set(as(ana))
      .send({ name: 'other', memberIds: [ben.id] });
    const ready = await readyAttachment(ana, conversationId, 'image', await png());
    const elsewhere = await send(ana, other.body.conversation.id, { attachmentId: ready.id });
    expect(elsewhere.body.error.code).to.equal('INVALID_ATTACHMENT');
    // Before it is sent only its sender may open it.
    expect((await openMedia(ready.urls.full!)).status).to.equal(200);
    expect((await openMedia(mediaLinks.linkFor(mediaKeyOf(ready.urls.full!), ben.id))).status).to.equal(404);
  });

  it("deletes a deleted message's objects, and unsent uploads after the configured time", async () => {
    const { ana, ben, conversationId } = await group();
    const ready = await readyAttachment(ana, conversationId, 'image', await png(300, 300));
    const sent = await send(ana, conversationId, { attachmentId: ready.id });
    const keys = Object.values(sent.body.message.attachment.urls as Record<string, string>).map(mediaKeyOf);
    for (const key of keys) expect(await storedLocally(key), key).to.equal(true);
    const benLink = (await (await api()).get(`${CONV}/${conversationId}/messages`).set(as(ben))).body.messages.at(-1).attachment
      .urls.full;

    const del = await (await api()).delete(`${CONV}/${conversationId}/messages/${sent.body.message.id}`).set(as(ana));
    expect(del.status).to.equal(204);
    for (const key of keys) expect(await storedLocally(key), key).to.equal(false);
    expect(await ChatAttachment.exists({ _id: ready.id })).to.equal(null);
    expect((await openMedia(benLink)).status).to.equal(404);

    // An upload never sent goes once its time is up, with everything it stored.
    const unsent = await readyAttachment(ana, conversationId, 'image', await png(100, 100));
    const unsentKey = mediaKeyOf(unsent.urls.full!);
    const storage = createStorageProvider(config.storage);
    await reapDroppedAttachments(storage, Date.now() - 1000);
    expect(await storedLocally(unsentKey), 'still within its time').to.equal(true);
    await reapDroppedAttachments(storage, Date.now() + config.chat.media.unsentAfterMs + 1000);
    expect(await storedLocally(unsentKey)).to.equal(false);
    expect(await ChatAttachment.exists({ _id: unsent.id })).to.equal(null);
  });

  it('tells the sender when an upload cannot be processed', async () => {
    const { ana, conversationId } = await group();
    const anaSocket = await devices.connect(ana);
    const told = nextEvent(anaSocket, 'chat:attachment', () => true, 60_000);
    // An MP4 header and then noise: it passes the first look, and the job refuses it.
    const corrupt = Buffer.concat([
      Buffer.from('00000018667479706d703432000000006d70343269736f6d', 'hex'),
      Buffer.alloc(4096, 0x5a),
    ]);
    const res = await attach(ana, conversationId, 'video', corrupt, 'broken.mp4');
    expect(res.status).to.equal(202);
    expect(await told).to.include({ status: 'failed', failReason: 'unreadable_video' });
    const sent = await send(ana, conversationId, { attachmentId: res.body.attachment.id });
    expect(sent.body.error.code).to.equal('INVALID_ATTACHMENT');
    await eventually(async () => (await ChatAttachment.findById(res.body.attachment.id).lean())?.status === 'failed');
  });
});
