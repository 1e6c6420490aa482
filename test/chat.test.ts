import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { config } from '../config/index.js';
import { Connection, pairKeyOf } from '../models/connection.model.js';
import { Conversation } from '../models/conversation.model.js';
import { Message, Reaction } from '../models/message.model.js';
import { SYNC_MAX_BYTES } from '../services/chat/message.service.js';
import { User } from '../models/user.model.js';
import { api } from './support/app.js';
import { clientId, collect, emitAck, emitUntyped, eventually, nextEvent, useSocketServer } from './support/chat.js';
import { connect } from './support/connections.js';
import { expectDocumented } from './support/openapi.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const CONV = '/api/v1/conversations';
type Msg = {
  id: string;
  seq: number;
  text?: string;
  conversationId: string;
  senderId: string;
  reactions: Record<string, number>;
};

describe('chat', () => {
  const devices = useSocketServer();

  /** Two connected people. */
  const pair = async () => {
    const [a, b] = await Promise.all([signupUser(), signupUser()]);
    await connect(a, b);
    return [a, b] as const;
  };

  it('delivers a message to every device of both people, stored encrypted', async () => {
    const [ana, ben] = await pair();
    const [ana1, ana2, ben1, ben2] = await Promise.all([
      devices.connect(ana),
      devices.connect(ana),
      devices.connect(ben),
      devices.connect(ben),
    ]);
    const got = [ana2, ben1, ben2].map((s) => nextEvent(s, 'chat:message'));
    const ack = await emitAck(ana1, 'chat:send', {
      toUserId: ben.id,
      clientMessageId: clientId(),
      text: 'hello <b>ben</b>',
    });
    expect(ack.ok, JSON.stringify(ack)).to.equal(true);
    expect(ack.data).to.include({ seq: 1, text: 'hello <b>ben</b>', senderId: ana.id });
    for (const m of await Promise.all(got)) expect(m.id).to.equal(ack.data.id);

    const raw = await Message.collection.findOne({ _id: new (await import('mongoose')).Types.ObjectId(ack.data.id) });
    expect(JSON.stringify(raw)).not.to.include('hello');
    expect(raw?.text.keyId).to.equal(config.chat.keyId);

    const list = await (await api()).get(CONV).set(as(ben));
    expectDocumented(list, 'get', CONV);
    expect(list.body.conversations[0]).to.include({ id: ack.data.conversationId, unread: 1 });
  });

  it('refuses strangers, blocked people and non-members, with 404 for every id they try', async () => {
    const [ana, ben] = await pair();
    const [stranger] = await Promise.all([signupUser()]);
    const anaSocket = await devices.connect(ana);
    const first = await emitAck(anaSocket, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'hi' });
    const conversationId = first.data.conversationId;

    const strangerSocket = await devices.connect(stranger);
    const toStranger = await emitAck(strangerSocket, 'chat:send', { toUserId: ana.id, clientMessageId: clientId(), text: 'hey' });
    expect(toStranger.error?.code).to.equal('NOT_CONNECTED');
    const intrude = await emitAck(strangerSocket, 'chat:send', { conversationId, clientMessageId: clientId(), text: 'hey' });
    expect(intrude.error?.code).to.equal('NOT_FOUND');
    for (const path of [`${CONV}/${conversationId}`, `${CONV}/${conversationId}/messages`]) {
      expect((await (await api()).get(path).set(as(stranger))).status, path).to.equal(404);
    }
    const edit = await (
      await api()
    )
      .patch(`${CONV}/${conversationId}/messages/${first.data.id}`)
      .set(as(stranger))
      .send({ text: 'x' });
    expect(edit.status).to.equal(404);
    const react = await emitAck(strangerSocket, 'chat:react', { messageId: first.data.id, emoji: '👍' });
    expect(react.error?.code).to.equal('NOT_FOUND');

    await (await api()).post(`/api/v1/users/${ana.id}/block`).set(as(ben)).expect(204);
    const blocked = await emitAck(anaSocket, 'chat:send', { conversationId, clientMessageId: clientId(), text: 'still there?' });
    expect(blocked.error?.code).to.equal('NOT_CONNECTED');
  });

  it('stores a message once when the same clientMessageId is resent around a dropped connection', async () => {
    const [ana, ben] = await pair();
    const benSocket = await devices.connect(ben);
    const seen = collect(benSocket, 'chat:message');
    const first = await devices.connect(ana);
    const id = clientId();
    void emitAck(first, 'chat:send', { toUserId: ben.id, clientMessageId: id, text: 'only once' }).catch(() => undefined);
    first.io.engine.close(); // the ack never arrives
    const again = await devices.connect(ana);
    const ack = await emitAck(again, 'chat:send', { toUserId: ben.id, clientMessageId: id, text: 'only once' });
    const twice = await emitAck(again, 'chat:send', { toUserId: ben.id, clientMessageId: id, text: 'only once' });
    expect(twice.data.id).to.equal(ack.data.id);
    // A later message heard by ben proves any second copy of the first would have come before it.
    const later = await emitAck(again, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'later' });
    await eventually(() => seen.some((m) => m.id === later.data.id));
    expect(await Message.countDocuments({ senderId: ana.id, clientMessageId: id })).to.equal(1);
    expect(seen.filter((m) => m.id === ack.data.id)).to.have.length(1);
  });

  it('catches up on five messages sent while offline, in order, with chat:sync', async () => {
    const [ana, ben] = await pair();
    const benBefore = await devices.connect(ben);
    const start = await emitAck(benBefore, 'chat:sync', {});
    benBefore.close();
    const anaSocket = await devices.connect(ana);
    const sent: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const ack = await emitAck(anaSocket, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: `m${i}` });
      sent.push(ack.data.id);
    }
    const benAfter = await devices.connect(ben);
    const sync = await emitAck(benAfter, 'chat:sync', {
      since: start.data.cursor,
    });
    expect(sync.data.messages.map((m) => m.text)).to.deep.equal(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(sync.data.messages.map((m) => m.id)).to.deep.equal(sent);
    const nothing = await emitAck(benAfter, 'chat:sync', { since: sync.data.cursor });
    expect(nothing.data.messages).to.deep.equal([]);

    // Offline again: an edit and a deletion arrive as the messages' new state.
    benAfter.close();
    await emitAck(anaSocket, 'chat:edit', { messageId: sent[1]!, text: 'm2, edited' });
    await emitAck(anaSocket, 'chat:delete', { messageId: sent[2]! });
    const benLater = await devices.connect(ben);
    const changes = await emitAck(benLater, 'chat:sync', {
      since: sync.data.cursor,
    });
    expect(changes.data.messages.map((m) => [m.id, m.text ?? null, Boolean(m.deletedAt)])).to.deep.equal([
      [sent[1], 'm2, edited', false],
      [sent[2], null, true],
    ]);
  });

  it('catches up a page at a time, each page at most SYNC_MAX_BYTES as sent, in order and without a gap', async () => {
    const [ana, ben] = await pair();
    const carl = await signupUser();
    await connect(carl, ben);
    const start = await emitAck(await devices.connect(ben), 'chat:sync', {});
    // The longest messages allowed, from two people (each within their message budget): 500
    // of them made one answer of 2 MB. Quotes and accents weigh two bytes each as sent.
    const long = (who: string, i: number) => `${who} ${i} `.padEnd(config.chat.maxText, '"é');
    const perSender = Math.ceil(SYNC_MAX_BYTES / config.chat.maxText / 2) + 10;
    const expected: string[] = [];
    for (const [sender, who] of [
      [ana, 'ana'],
      [carl, 'carl'],
    ] as const) {
      const first = await emitAck(await devices.connect(sender), 'chat:send', {
        toUserId: ben.id,
        clientMessageId: clientId(),
        text: long(who, 0),
      });
      expected.push(long(who, 0));
      for (let i = 1; i < perSender; i++) {
        const sent = await (
          await api()
        )
          .post(`${CONV}/${first.data.conversationId}/messages`)
          .set(as(sender))
          .send({ clientMessageId: clientId(), text: long(who, i) });
        expect(sent.status).to.equal(201);
        expected.push(long(who, i));
      }
    }
    const benSocket = await devices.connect(ben);
    const heard: string[] = [];
    let since = start.data.cursor;
    for (let pages = 1; ; pages++) {
      expect(pages, 'pages').to.be.below(10);
      const page = await emitAck(benSocket, 'chat:sync', { since });
      const texts = page.data.messages.map((m) => m.text ?? '');
      expect(Buffer.byteLength(JSON.stringify(page.data.messages)), 'one page').to.be.at.most(SYNC_MAX_BYTES);
      heard.push(...texts);
      since = page.data.cursor;
      if (!page.data.more) {
        expect(pages, 'more than one page').to.be.above(1);
        break;
      }
    }
    expect(heard).to.deep.equal(expected);
  });

  it('relays typing to the others and ends it by itself', async () => {
    const [ana, ben] = await pair();
    const [anaSocket, benSocket] = await Promise.all([devices.connect(ana), devices.connect(ben)]);
    const conversationId = (await emitAck(anaSocket, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'hi' }))
      .data.conversationId;
    const on = nextEvent(benSocket, 'chat:typing', (p) => p.isTyping);
    const off = nextEvent(benSocket, 'chat:typing', (p) => !p.isTyping, 3000);
    const anaHears = collect(anaSocket, 'chat:typing');
    // From before the server can start its timer: a late delivery of "on" cannot shorten it.
    const started = Date.now();
    expect((await emitAck(anaSocket, 'chat:typing', { conversationId, isTyping: true })).ok).to.equal(true);
    expect((await on).userId).to.equal(ana.id);
    await off;
    expect(Date.now() - started).to.be.at.least(config.chat.typingTtlMs - 100);
    expect(anaHears, 'the typist is not told about themself').to.have.length(0);
  });

  it('pages history both ways in buckets, and marks reads', async () => {
    const [ana, ben] = await pair();
    const anaSocket = await devices.connect(ana);
    const conversationId = (await emitAck(anaSocket, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'm1' }))
      .data.conversationId;
    for (let i = 2; i <= 120; i++) {
      const res = await (
        await api()
      )
        .post(`${CONV}/${conversationId}/messages`)
        .set(as(i % 2 ? ben : ana))
        .send({ clientMessageId: clientId(), text: `m${i}` });
      expect(res.status).to.equal(201);
    }
    const history = (query: Record<string, number>) =>
      api().then((a) => a.get(`${CONV}/${conversationId}/messages`).query(query).set(as(ben)));
    const latest = await history({ limit: 50 });
    expectDocumented(latest, 'get', `${CONV}/{id}/messages`);
    expect(latest.body.messages.map((m: Msg) => m.seq)).to.deep.equal(Array.from({ length: 50 }, (_, i) => 71 + i));
    expect([latest.body.before, latest.body.after]).to.deep.equal([71, null]);
    const older = await history({ limit: 50, before: 71 });
    expect(older.body.messages.map((m: Msg) => m.seq)).to.deep.equal(Array.from({ length: 50 }, (_, i) => 21 + i));
    const oldest = await history({ limit: 50, before: 21 });
    expect(oldest.body.messages.map((m: Msg) => m.text)[0]).to.equal('m1');
    expect(oldest.body.before).to.equal(null);
    const newer = await history({ limit: 50, after: 95 });
    expect(newer.body.messages.map((m: Msg) => m.seq)).to.deep.equal(Array.from({ length: 25 }, (_, i) => 96 + i));
    expect((await history({ limit: 101 })).status).to.equal(400);

    const anaSeesRead = nextEvent(anaSocket, 'chat:read');
    const lastId = latest.body.messages.at(-1).id;
    const read = await (await api()).post(`${CONV}/${conversationId}/read`).set(as(ben)).send({ upToMessageId: lastId });
    expect(read.body).to.deep.equal({ lastReadSeq: 120 });
    expect(await anaSeesRead).to.include({ upToSeq: 120, userId: ben.id });
    // Ben turns read receipts off: his pointer still moves, nobody is told.
    await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(ben))
      .send({ settings: { privacy: { readReceipts: false } } })
      .expect(200);
    const unseen = await emitAck(anaSocket, 'chat:send', { conversationId, clientMessageId: clientId(), text: 'seen?' });
    const anaHears = collect(anaSocket, 'chat:read');
    const silent = await (
      await api()
    )
      .post(`${CONV}/${conversationId}/read`)
      .set(as(ben))
      .send({ upToMessageId: unseen.data.id });
    expect(silent.body).to.deep.equal({ lastReadSeq: 121 });
    // Ben typing next reaches ana after any receipt his read would have sent.
    const benSocket = await devices.connect(ben);
    const typing = nextEvent(anaSocket, 'chat:typing', (t) => t.userId === ben.id);
    await emitAck(benSocket, 'chat:typing', { conversationId, isTyping: true });
    await typing;
    expect(anaHears).to.deep.equal([]);
    const benList = await (await api()).get(CONV).set(as(ben));
    expect(benList.body.conversations.find((c: { id: string }) => c.id === conversationId).unread).to.equal(0);
  });

  it('answers absurd history and sync cursors at once, without walking towards them', async () => {
    const [ana, ben] = await pair();
    const anaSocket = await devices.connect(ana);
    const sent = [];
    for (let i = 1; i <= 3; i++) {
      const ack = await emitAck(anaSocket, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: `m${i}` });
      sent.push(ack.data);
    }
    const conversationId = sent[0]!.conversationId;
    const history = async (query: Record<string, string | number>) =>
      (await api()).get(`${CONV}/${conversationId}/messages`).query(query).set(as(ben)).timeout(3000);

    // A number no conversation reaches is refused; the largest accepted one is clamped to the end.
    for (const before of ['99999999999999999999', '1e30', '-1']) {
      const res = await history({ before });
      expect(res.status, before).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    }
    const clamped = await history({ before: 1_000_000_000_000 });
    expect(clamped.status).to.equal(200);
    expect(clamped.body.messages.map((m: Msg) => m.text)).to.deep.equal(['m1', 'm2', 'm3']);
    const past = await history({ after: 1_000_000_000_000 });
    expect(past.body).to.deep.include({ messages: [], after: null });

    // Sync: a cursor from the epoch or from the far future is refused, not scanned from.
    const ancient = await emitAck(anaSocket, 'chat:sync', { since: '1_' });
    expect(ancient.error?.code).to.equal('SYNC_CURSOR_EXPIRED');
    const future = await emitAck(anaSocket, 'chat:sync', { since: `${Date.now() + 86_400_000 * 365}_` });
    expect(future.error?.code).to.equal('INVALID_CURSOR');
    const fine = await emitAck(anaSocket, 'chat:sync', {
      since: `${Date.now() - 3_600_000}_`,
    });
    expect(fine.data.messages.map((m) => m.id)).to.deep.equal(sent.map((m) => m.id));
    expect(fine.data.reload).to.deep.equal([]);
  });

  it('edits, deletes and toggles reactions, told to every member', async () => {
    const [ana, ben] = await pair();
    const [anaSocket, benSocket] = await Promise.all([devices.connect(ana), devices.connect(ben)]);
    const sent = (await emitAck(anaSocket, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'helo' })).data;
    const edited = nextEvent(benSocket, 'chat:edited');
    expect((await emitAck(anaSocket, 'chat:edit', { messageId: sent.id, text: 'hello' })).data.text).to.equal('hello');
    expect((await edited).text).to.equal('hello');
    expect((await emitAck(benSocket, 'chat:edit', { messageId: sent.id, text: 'mine now' })).error?.code).to.equal(
      'EDIT_NOT_ALLOWED',
    );

    const reacted = await emitAck(benSocket, 'chat:react', {
      messageId: sent.id,
      emoji: '❤️',
    });
    expect(reacted.data).to.deep.include({ added: true, reactions: { '❤️': 1 } });
    const again = await emitAck(benSocket, 'chat:react', {
      messageId: sent.id,
      emoji: '❤️',
    });
    expect(again.data).to.deep.include({ added: false, reactions: {} });
    expect((await emitAck(benSocket, 'chat:react', { messageId: sent.id, emoji: 'a.b' })).error?.code).to.equal(
      'VALIDATION_FAILED',
    );

    const deleted = nextEvent(benSocket, 'chat:deleted');
    expect((await emitAck(anaSocket, 'chat:delete', { messageId: sent.id })).ok).to.equal(true);
    expect((await deleted).id).to.equal(sent.id);
    const history = await (await api()).get(`${CONV}/${sent.conversationId}/messages`).set(as(ben));
    expect(history.body.messages[0]).to.not.have.property('text');
    expect(history.body.messages[0]).to.have.property('deletedAt');
  });

  it('a reaction is one emoji; a person keeps 10 on a message and a message 50 kinds; a kind nobody holds leaves the map', async () => {
    const [ana, ben] = await pair();
    const [anaSocket, benSocket] = await Promise.all([devices.connect(ana), devices.connect(ben)]);
    const sent = (await emitAck(anaSocket, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'hi' })).data;
    const react = (emoji: string) => emitAck(benSocket, 'chat:react', { messageId: sent.id, emoji });
    // Each string would have been a new key of the message's map, sent to every member on every toggle.
    for (const emoji of ['👍a1', '👍👍', 'ab', '👍 ', '$', '👍.']) {
      expect((await react(emoji)).error?.code, emoji).to.equal('VALIDATION_FAILED');
    }
    const mine = ['👍', '❤️', '👍🏽', '🇮🇳', '👨‍👩‍👧', '☺', '🔥', '🎉', '😂', '😮'];
    for (const emoji of mine) expect((await react(emoji)).ok, emoji).to.equal(true);
    const eleventh = await react('😢');
    expect(eleventh.error?.code).to.equal('TOO_MANY_REACTIONS');
    // Taking one back makes room, and leaves no empty key behind.
    expect((await react('🔥')).data).to.deep.include({ added: false });
    expect(Object.keys((await Message.findById(sent.id).lean())!.reactions ?? {})).to.not.include('🔥');
    expect((await react('😢')).ok).to.equal(true);
    expect(await Reaction.countDocuments({ messageId: sent.id, userId: ben.id })).to.equal(10);

    // Fifty kinds held: a new kind is refused, one already there is not.
    const other = (await emitAck(anaSocket, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'yo' })).data;
    const held = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [String.fromCodePoint(0x1f600 + i), 1]));
    await Message.updateOne({ _id: other.id }, { $set: { reactions: held } });
    // Ana reacts here: Ben has spent his burst of socket events above.
    const onOther = (emoji: string) => emitAck(anaSocket, 'chat:react', { messageId: other.id, emoji });
    expect((await onOther('🚀')).error?.code).to.equal('TOO_MANY_REACTIONS');
    const existing = await onOther(String.fromCodePoint(0x1f600));
    expect(existing.data, JSON.stringify(existing)).to.deep.include({ added: true });
  });

  it('reaction toggles sent at the same moment keep the count equal to the reactions stored', async () => {
    const [ana, ben] = await pair();
    const [anaSocket, benSocket] = await Promise.all([devices.connect(ana), devices.connect(ben)]);
    const sent = (await emitAck(anaSocket, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'hi' })).data;
    const emoji = '🔥';
    for (let round = 0; round < 6; round++) {
      const acks = await Promise.all(
        Array.from({ length: 3 }, () => emitAck(benSocket, 'chat:react', { messageId: sent.id, emoji })),
      );
      for (const ack of acks) expect(ack.ok, JSON.stringify(ack)).to.equal(true);
      const stored = await Reaction.countDocuments({ messageId: sent.id, emoji });
      const counted = ((await Message.findById(sent.id).lean())?.reactions as Record<string, number> | undefined)?.[emoji] ?? 0;
      expect(counted, `round ${round}: ${stored} stored`).to.equal(stored);
    }
  });

  it('groups: admins manage members, members leave, the last admin hands over', async () => {
    const [ana, ben, cara, dan] = await Promise.all([signupUser(), signupUser(), signupUser(), signupUser()]);
    await Promise.all([connect(ana, ben), connect(ana, cara), connect(ana, dan), connect(ben, dan)]);
    const created = await (
      await api()
    )
      .post(CONV)
      .set(as(ana))
      .send({ name: 'Trip', memberIds: [ben.id, cara.id] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expectDocumented(created, 'post', CONV);
    const id = created.body.conversation.id;
    expect(created.body.conversation.admins).to.deep.equal([ana.id]);

    const [benSocket, caraSocket] = await Promise.all([devices.connect(ben), devices.connect(cara)]);
    const caraGets = nextEvent(caraSocket, 'chat:message');
    expect(
      (await emitAck(benSocket, 'chat:send', { conversationId: id, clientMessageId: clientId(), text: 'hi all' })).ok,
    ).to.equal(true);
    expect((await caraGets).text).to.equal('hi all');

    const byMember = await (await api()).post(`${CONV}/${id}/members`).set(as(ben)).send({ userId: dan.id });
    expect([byMember.status, byMember.body.error.code]).to.deep.equal([403, 'NOT_GROUP_ADMIN']);
    expect((await (await api()).post(`${CONV}/${id}/members`).set(as(ana)).send({ userId: dan.id })).status).to.equal(204);
    expect((await (await api()).get(`${CONV}/${id}`).set(as(dan))).body.conversation.memberIds).to.include(dan.id);
    expect((await (await api()).delete(`${CONV}/${id}/members/${cara.id}`).set(as(ben))).status).to.equal(403);
    expect((await (await api()).delete(`${CONV}/${id}/members/${cara.id}`).set(as(ana))).status).to.equal(204);
    expect((await (await api()).get(`${CONV}/${id}`).set(as(cara))).status).to.equal(404);

    expect(
      (await (await api()).patch(`${CONV}/${id}/members/${ana.id}`).set(as(ana)).send({ role: 'member' })).body.error.code,
    ).to.equal('LAST_ADMIN');
    expect((await (await api()).delete(`${CONV}/${id}/members/${ana.id}`).set(as(ana))).status).to.equal(204);
    const after = await (await api()).get(`${CONV}/${id}`).set(as(ben));
    expect(after.body.conversation.admins).to.have.length(1);
    expect(after.body.conversation.memberIds).to.not.include(ana.id);
  });

  it('two admins taking the role from each other at once, or leaving at once, never leave a group without an admin', async () => {
    const [ana, ben, cara] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    await Promise.all([connect(ana, ben), connect(ana, cara)]);
    const client = await api();
    const adminsOf = async (id: string, who: SignedUp) =>
      (await client.get(`${CONV}/${id}`).set(as(who))).body.conversation.admins;
    /** Ana's group with Ben as a second admin, and Cara. */
    const twoAdmins = async () => {
      const created = await client
        .post(CONV)
        .set(as(ana))
        .send({ name: 'Trip', memberIds: [ben.id, cara.id] });
      const id: string = created.body.conversation.id;
      await client.patch(`${CONV}/${id}/members/${ben.id}`).set(as(ana)).send({ role: 'admin' }).expect(204);
      return id;
    };
    for (let round = 0; round < 4; round++) {
      const id = await twoAdmins();
      await Promise.all([
        client.patch(`${CONV}/${id}/members/${ben.id}`).set(as(ana)).send({ role: 'member' }),
        client.patch(`${CONV}/${id}/members/${ana.id}`).set(as(ben)).send({ role: 'member' }),
      ]);
      expect(await adminsOf(id, cara), `round ${round}: demotions`).to.have.length.greaterThan(0);
    }
    // Both admins leave at once: Cara, the one who stays, is made admin.
    const id = await twoAdmins();
    await Promise.all([
      client.delete(`${CONV}/${id}/members/${ana.id}`).set(as(ana)).expect(204),
      client.delete(`${CONV}/${id}/members/${ben.id}`).set(as(ben)).expect(204),
    ]);
    expect(await adminsOf(id, cara)).to.deep.equal([cara.id]);
  });

  it('a group needs someone besides its creator, and one account creates a bounded number of them', async () => {
    const [ana, ben] = await pair();
    const create = (memberIds: string[]) => api().then((a) => a.post(CONV).set(as(ana)).send({ name: 'mine', memberIds }));
    const alone = await create([ana.id]);
    expect([alone.status, alone.body.error?.code]).to.deep.equal([400, 'GROUP_NEEDS_MEMBERS']);
    // Already at the limit (as if made one by one): the next is refused, and nothing is stored.
    const max = config.chat.maxGroupsCreated;
    await Conversation.insertMany(
      Array.from({ length: max }, () => ({ type: 'group', name: 'old', memberIds: [ana.id, ben.id], createdBy: ana.id })),
    );
    const over = await create([ben.id]);
    expect([over.status, over.body.error?.code, over.body.error?.details?.max]).to.deep.equal([409, 'GROUP_LIMIT', max]);
    expect(await Conversation.countDocuments({ createdBy: ana.id, type: 'group' })).to.equal(max);
    // Ben is not limited by Ana's groups.
    expect(
      (
        await (
          await api()
        )
          .post(CONV)
          .set(as(ben))
          .send({ name: 'his', memberIds: [ana.id] })
      ).status,
    ).to.equal(201);
    // Leaving one frees nothing (made and left, it still weighs on its members); one 30 days old does.
    await Conversation.updateOne({ createdBy: ana.id, name: 'old' }, { $pull: { memberIds: new Types.ObjectId(ana.id) } });
    expect((await create([ben.id])).body.error?.code).to.equal('GROUP_LIMIT');
    const age = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await Conversation.collection.updateOne(
          { createdBy: new Types.ObjectId(ana.id), name: 'old', createdAt: { $gt: new Date(Date.now() - 86_400_000) } },
          { $set: { createdAt: new Date(Date.now() - 31 * 86_400_000) } },
        );
      }
    };
    await age(1);
    expect((await create([ben.id])).status).to.equal(201);
    expect((await create([ben.id])).body.error?.code).to.equal('GROUP_LIMIT');
    // Three places free, eight creations at once: none gets past the limit (those past it all go).
    await age(3);
    const burst = await Promise.all(Array.from({ length: 8 }, () => create([ben.id])));
    const made = burst.filter((r) => r.status === 201).length;
    expect(made).to.be.within(0, 3);
    const recent = { createdBy: ana.id, type: 'group' as const, createdAt: { $gt: new Date(Date.now() - 30 * 86_400_000) } };
    expect(await Conversation.countDocuments(recent)).to.equal(max - 3 + made);
  });

  it('masks profanity, refuses oversized text and floods, and stays up for others', async () => {
    const [ana, ben] = await pair();
    const [anaSocket, benSocket] = await Promise.all([devices.connect(ana), devices.connect(ben)]);
    const rude = await emitAck(anaSocket, 'chat:send', {
      toUserId: ben.id,
      clientMessageId: clientId(),
      text: 'you are a fucking genius',
    });
    expect(rude.data.text).to.not.include('fuck');
    expect(rude.data.text).to.include('genius');
    const long = await emitAck(anaSocket, 'chat:send', {
      toUserId: ben.id,
      clientMessageId: clientId(),
      text: 'x'.repeat(config.chat.maxText + 1),
    });
    expect(long.error?.code).to.equal('MESSAGE_TOO_LONG');
    const bad = await emitUntyped(anaSocket, 'chat:send', { toUserId: ben.id, clientMessageId: { $gt: '' }, text: 'x' });
    expect(bad.error?.code).to.equal('INVALID_INPUT_KEY');

    const conversationId = rude.data.conversationId;
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => emitAck(anaSocket, 'chat:typing', { conversationId, isTyping: true })),
    );
    expect(answers.filter((a) => a.error?.code === 'RATE_LIMITED').length).to.be.greaterThan(0);
    expect((await emitAck(benSocket, 'system:ping', {})).ok, 'others are unaffected').to.equal(true);
  });

  it('checks a message the same way over HTTP and chat:send (one definition), refusing hostile fields', async () => {
    const [ana, ben] = await pair();
    const anaSocket = await devices.connect(ana);
    const first = await emitAck(anaSocket, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'hi' });
    const conversationId = first.data.conversationId;
    const hostile: [field: string, value: unknown, message: string][] = [
      // (Keys starting with $ are refused before validation over HTTP: INVALID_INPUT_KEY.)
      ['clientMessageId', { length: 12 }, 'must be a string'],
      ['clientMessageId', 'short', 'must be 8 to 64 of A-Z a-z 0-9 _ -'],
      ['text', 42, 'must be a string'],
      ['text', 'x'.repeat(20_001), 'must be at most 20000 characters'],
      ['attachmentId', ['65a0c0ffee65a0c0ffee65a0'], 'must be a string'],
      ['attachmentId', 'not-a-photo', 'must be an attachment id'],
      ['replyToId', { toString: 'x' }, 'must be a string'],
      ['replyToId', ['65a0c0ffee65a0c0ffee65a0', '65a0c0ffee65a0c0ffee65a1'], 'must be a string'],
      ['replyToId', '65A0C0FFEE65A0C0FFEE65A0', 'must be a message id'],
      ['attachmentId', null, 'must be a string'],
      ['text', [], 'must be a string'],
    ];
    for (const [field, value, message] of hostile) {
      const body = { clientMessageId: clientId(), text: 'x', [field]: value };
      const res = await (await api()).post(`${CONV}/${conversationId}/messages`).set(as(ana)).send(body);
      expect(res.status, field).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
      expect(res.body.error.details).to.deep.include({ field, location: 'body', message });
      const ack = await emitUntyped(anaSocket, 'chat:send', { conversationId, ...body });
      expect(ack.error?.code, field).to.equal('VALIDATION_FAILED');
      expect(ack.error?.message).to.equal(`${field}: ${message}`);
    }
    const edit = await (await api()).patch(`${CONV}/${conversationId}/messages/${first.data.id}`).set(as(ana)).send({ text: '' });
    expect(edit.body.error.details).to.deep.include({ field: 'text', location: 'body', message: 'must not be empty' });
    const editAck = await emitAck(anaSocket, 'chat:edit', { messageId: first.data.id, text: '' });
    expect(editAck.error?.message).to.equal('text: must not be empty');
    const read = await (await api()).post(`${CONV}/${conversationId}/read`).set(as(ana)).send({ upToMessageId: 'x' });
    expect(read.body.error.details).to.deep.include({
      field: 'upToMessageId',
      location: 'body',
      message: 'must be a message id',
    });

    // Nothing was stored or changed by any of them.
    expect(await Message.countDocuments({ conversationId })).to.equal(1);
    const history = await (await api()).get(`${CONV}/${conversationId}/messages`).set(as(ana));
    expect(history.body.messages.map((m: Msg) => m.text)).to.deep.equal(['hi']);
  });

  it('presence: online with the first socket, offline after the grace period, seen only by connections', async () => {
    const [ana, ben] = await pair();
    const [stranger, carl] = await Promise.all([signupUser(), signupUser()]);
    await connect(carl, ben);
    const benSocket = await devices.connect(ben);
    const carlSocket = await devices.connect(carl);
    const online = nextEvent(benSocket, 'presence:changed', (p) => p.userId === ana.id && p.online);
    const strangerSocket = await devices.connect(stranger);
    const strangerHears = collect(strangerSocket, 'presence:changed');
    const first = await devices.connect(ana);
    await online;

    // A reconnect inside the grace period does not flap.
    const changes = collect(benSocket, 'presence:changed');
    first.close();
    // Back as soon as the server has counted the close, well inside the grace period.
    await eventually(async () => (await devices.server().parts.presence.store.count(ana.id)) === 0, 1000, 'the close counted');
    const second = await devices.connect(ana);
    // Carl, another connection of ben's, leaves after ana's first close and stays away: his
    // offline comes after any her first close would have caused.
    const carlGone = nextEvent(benSocket, 'presence:changed', (p) => p.userId === carl.id && !p.online);
    carlSocket.close();
    await carlGone;
    expect(changes.filter((c) => c.userId === ana.id)).to.deep.equal([]);

    const offline = nextEvent(benSocket, 'presence:changed', (p) => p.userId === ana.id && !p.online);
    second.close();
    expect((await offline).lastSeenAt).to.be.a('string');
    const batch = await (
      await api()
    )
      .get('/api/v1/presence')
      .query({ ids: `${ana.id},${stranger.id}` })
      .set(as(ben));
    expectDocumented(batch, 'get', '/api/v1/presence');
    expect(batch.body.presence[0]).to.include({ userId: ana.id, online: false });
    expect(batch.body.presence[0].lastSeenAt).to.be.a('string');
    expect(batch.body.presence[1]).to.deep.equal({ userId: stranger.id, online: null });
    expect(strangerHears).to.deep.equal([]);
    expect((await (await api()).get('/api/v1/presence').query({ ids: 'x,y' }).set(as(ben))).status).to.equal(400);
  });

  it("an arrival while all of one's connections are offline is told to nobody, with no read of who may hear; a leaving is told all the same; a friend coming later reads it and is told", async () => {
    const [ana, ben] = await pair();
    const presence = devices.server().parts.presence;
    /**
     * The reads of `user`'s visibility while `fn` runs and is told: read, with their blocks
     * both ways, only when someone may hear (a notice's own block reads may run meanwhile).
     */
    const visibilityReads = async <T>(user: SignedUp, fn: () => Promise<T>, told = 0): Promise<[string[], T]> => {
      const reads: string[] = [];
      mongoose.set('debug', (collection: string, method: string, filter: unknown, options?: { projection?: object }) => {
        const said = JSON.stringify([filter, options?.projection]);
        if (collection === 'users' && said.includes('availability') && said.includes(user.id))
          reads.push(`${collection}.${method}`);
      });
      try {
        const result = await fn();
        // A leaving is told after its write: the reads of the telling waited for (made when called).
        if (told) await eventually(async () => reads.length >= told, 5000, 'the change told');
        await presence.announced();
        return [reads.sort(), result];
      } finally {
        mongoose.set('debug', false);
      }
    };
    const [arrivalReads, first] = await visibilityReads(ana, () => devices.connect(ana));
    expect(arrivalReads).to.deep.equal([]);
    // Her leaving is written and told all the same: were ben's socket missing from the store
    // (a stalled process swept), a leaving skipped would leave her online to him for good.
    const [leavingReads] = await visibilityReads(
      ana,
      async () => {
        first.close();
        await eventually(async () => (await presence.store.count(ana.id)) === 0, 1000, 'the close counted');
      },
      2,
    );
    expect(leavingReads).to.deep.equal(['users.findOne', 'users.updateOne']);
    const anaSocket = await devices.connect(ana);
    await presence.announced();

    // Ben comes: ana is online to hear, so his audience is read and she is told.
    const anaHearsBen = nextEvent(anaSocket, 'presence:changed', (p) => p.userId === ben.id && p.online);
    const [benReads, benSocket] = await visibilityReads(ben, () => devices.connect(ben));
    expect(benReads).to.deep.equal(['users.findOne']);
    await anaHearsBen;
    // He reads ana's presence as it stands, and hears her leave.
    const asked = await (await api()).get('/api/v1/presence').query({ ids: ana.id }).set(as(ben));
    expect(asked.body.presence[0]).to.include({ userId: ana.id, online: true });
    const anaLeaves = nextEvent(benSocket, 'presence:changed', (p) => p.userId === ana.id && !p.online);
    anaSocket.close();
    expect((await anaLeaves).lastSeenAt).to.be.a('string');
  });

  it('going invisible while online looks to connections like leaving, and showing oneself again like arriving', async () => {
    const [ana, ben] = await pair();
    const benSocket = await devices.connect(ben);
    await devices.connect(ana);
    const status = (availability: string) =>
      api().then((a) => a.patch('/api/v1/users/me/status').set(as(ana)).send({ availability }).expect(200));
    const heard = (online: boolean) =>
      nextEvent(
        benSocket,
        'presence:changed',
        (e: { userId: string; online: boolean }) => e.userId === ana.id && e.online === online,
      );
    const left = heard(false);
    await status('invisible');
    expect((await left).lastSeenAt, 'a leaving, with its time').to.be.a('string');
    const back = heard(true);
    await status('online');
    expect(await back).to.deep.include({ userId: ana.id, online: true });
    // Only a string names an availability (an array passed the value check item by item).
    const listed = await (
      await api()
    )
      .patch('/api/v1/users/me/status')
      .set(as(ana))
      .send({ availability: ['invisible'] });
    expect([listed.status, listed.body.error?.code]).to.deep.equal([400, 'VALIDATION_FAILED']);
    expect((await User.findById(ana.id, { availability: 1 }).lean())?.availability).to.equal('online');
  });

  it('time spent invisible leaves no last-seen for connections to read once visible again', async () => {
    const [ana, ben] = await pair();
    const lastSeen = async () =>
      (await (await api()).get('/api/v1/presence').query({ ids: ana.id }).set(as(ben))).body.presence[0].lastSeenAt;
    /** A socket opened and closed, and the grace period after it over: the leaving has settled. */
    const visit = async () => {
      (await devices.connect(ana)).close();
      await eventually(async () => (await devices.server().parts.presence.store.count(ana.id)) === 0, 1000, 'closed');
      await new Promise((resolve) => setTimeout(resolve, config.chat.presenceGraceMs + 300));
    };
    const status = (availability: string) =>
      api().then((a) => a.patch('/api/v1/users/me/status').set(as(ana)).send({ availability }).expect(200));
    await visit();
    const visible = await lastSeen();
    expect(visible).to.be.a('string');
    await status('invisible');
    await visit();
    await status('online');
    expect(await lastSeen()).to.equal(visible);
  });

  it("presence of many people connecting at once reaches each one's own connections only: not a stranger, not across a block, never for an invisible one", async () => {
    const [[ana, ben], [cleo, dan], [eve, fay], [gil, hal]] = await Promise.all([pair(), pair(), pair(), pair()]);
    const stranger = await signupUser();
    // Cleo is also connected to ben but blocked him: ben never hears of her.
    await connect(cleo, ben);
    await (await api()).post(`/api/v1/users/${ben.id}/block`).set(as(cleo)).expect(204);
    // Dan is connected to ana and blocked her: he never hears of her either.
    await connect(dan, ana);
    await (await api()).post(`/api/v1/users/${ana.id}/block`).set(as(dan)).expect(204);
    await (await api()).patch('/api/v1/users/me/status').set(as(gil)).send({ availability: 'invisible' }).expect(200);
    const listeners = await Promise.all([ben, dan, fay, hal, stranger].map((u) => devices.connect(u)));
    const heard = listeners.map((s) => collect(s, 'presence:changed'));
    const [danHearsCleo, fayHearsEve] = [
      nextEvent(listeners[1]!, 'presence:changed', (p) => p.userId === cleo.id && p.online),
      nextEvent(listeners[2]!, 'presence:changed', (p) => p.userId === eve.id && p.online),
    ];
    const benHearsAna = nextEvent(listeners[0]!, 'presence:changed', (p) => p.userId === ana.id && p.online);
    // Gil first, and told (or not) before the others come.
    await devices.connect(gil);
    await devices.server().parts.presence.announced();
    await Promise.all([ana, cleo, eve].map((u) => devices.connect(u)));
    await Promise.all([benHearsAna, danHearsCleo, fayHearsEve]);
    const ids = (i: number) => heard[i]!.filter((p) => p.online).map((p) => p.userId);
    expect(ids(0)).to.deep.equal([ana.id]);
    expect(ids(1)).to.deep.equal([cleo.id]);
    expect(ids(2)).to.deep.equal([eve.id]);
    expect(ids(3)).to.deep.equal([]);
    expect(ids(4)).to.deep.equal([]);
  });

  it('a block cuts presence, last-seen, typing, reactions, receipts and edits between the two, both ways', async () => {
    const [ana, ben] = await pair();
    const carl = await signupUser();
    await connect(ana, carl);
    const [benSocket, carlSocket] = await Promise.all([devices.connect(ben), devices.connect(carl)]);
    const anaSocket = await devices.connect(ana);
    const fromBen = await emitAck(benSocket, 'chat:send', { toUserId: ana.id, clientMessageId: clientId(), text: 'hi' });
    const fromAna = await emitAck(anaSocket, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'yo' });
    const conversationId = fromBen.data.conversationId;
    expect((await (await api()).post(`/api/v1/users/${ana.id}/block`).set(as(ben))).status).to.equal(204);

    const liveSignals = ['chat:typing', 'chat:reaction', 'chat:read', 'chat:edited', 'presence:changed'] as const;
    const anaHears = liveSignals.map((e) => ({ e, seen: collect(anaSocket, e) }));
    const benHears = liveSignals.map((e) => ({ e, seen: collect(benSocket, e) }));
    // The blocker and the blocked person alike: every live signal to the other is refused.
    for (const [socket, own, theirs] of [
      [benSocket, fromBen.data, fromAna.data],
      [anaSocket, fromAna.data, fromBen.data],
    ] as const) {
      expect((await emitAck(socket, 'chat:typing', { conversationId, isTyping: true })).error?.code).to.equal('NOT_CONNECTED');
      expect((await emitAck(socket, 'chat:react', { messageId: theirs.id, emoji: '👍' })).error?.code).to.equal('NOT_CONNECTED');
      expect((await emitAck(socket, 'chat:edit', { messageId: own.id, text: 'changed' })).error?.code).to.equal('NOT_CONNECTED');
      // Reading moves one's own pointer; no receipt goes across.
      expect((await emitAck(socket, 'chat:read', { conversationId, upToMessageId: theirs.id })).ok).to.equal(true);
    }
    expect((await Message.findById(fromAna.data.id).lean())?.reactions).to.satisfy((r: unknown) => !r || !Object.keys(r).length);

    // Presence and last-seen: Ben neither hears Ana go offline nor can ask; Carl, her friend, hears it.
    const carlHearsOffline = nextEvent(carlSocket, 'presence:changed', (p) => p.userId === ana.id && !p.online);
    anaSocket.close();
    await carlHearsOffline;
    const asked = await (await api()).get('/api/v1/presence').query({ ids: ana.id }).set(as(ben));
    expect(asked.body.presence).to.deep.equal([{ userId: ana.id, online: null }]);
    const anaAsks = await (await api()).get('/api/v1/presence').query({ ids: ben.id }).set(as(ana));
    expect(anaAsks.body.presence).to.deep.equal([{ userId: ben.id, online: null }]);
    // Carl's event and any to Ben went out in one publish after all the refused signals: none reached Ben or Ana.
    for (const { e, seen } of [...anaHears, ...benHears]) expect(seen, e).to.deep.equal([]);
  });

  it('members can report a message; others get 404', async () => {
    const [ana, ben] = await pair();
    const stranger = await signupUser();
    const anaSocket = await devices.connect(ana);
    const sent = await emitAck(anaSocket, 'chat:send', {
      toUserId: ben.id,
      clientMessageId: clientId(),
      text: 'buy crypto now',
    });
    const report = (u: SignedUp) =>
      api().then((a) =>
        a.post('/api/v1/reports').set(as(u)).send({ targetType: 'message', targetId: sent.data.id, reason: 'spam' }),
      );
    expect((await report(ben)).status).to.equal(201);
    expect((await report(stranger)).status).to.equal(404);
  });

  it('holds groups of hundreds of members (no indexed member array to overflow)', async () => {
    const admin = await signupUser();
    // People the admin is connected to, written directly: the test is about the group.
    const now = new Date();
    const others = Array.from({ length: 700 }, () => new Types.ObjectId());
    await User.collection.insertMany(
      others.map((_id, i) => ({
        _id,
        username: `bulk_${String(_id)}`,
        email: `bulk-${i}-${String(_id)}@example.com`,
        firstName: 'B',
        lastName: 'B',
      })),
    );
    await Connection.collection.insertMany(
      others.map((id) => ({
        pairKey: pairKeyOf(admin.id, String(id)),
        memberIds: [new Types.ObjectId(admin.id), id],
        senderId: new Types.ObjectId(admin.id),
        receiverId: id,
        status: 'accepted',
        createdAt: now,
      })),
    );
    const created = await (
      await api()
    )
      .post(CONV)
      .set(as(admin))
      .send({ name: 'Big', memberIds: others.map(String) });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.conversation.memberIds).to.have.length(701);
    const socket = await devices.connect(admin);
    const sent = await emitAck(socket, 'chat:send', {
      conversationId: created.body.conversation.id,
      clientMessageId: clientId(),
      text: 'welcome',
    });
    expect(sent.ok, JSON.stringify(sent)).to.equal(true);
    // The sender's read pointer moves just after the ack (off its path): wait for it.
    let list = await (await api()).get(CONV).set(as(admin));
    await eventually(async () => {
      list = await (await api()).get(CONV).set(as(admin));
      return list.body.conversations[0]?.unread === 0;
    });
    expect(list.body.conversations[0]).to.include({ id: created.body.conversation.id, unread: 0 });
  });

  it("tells a group's members of a change without the changer's unread count", async () => {
    const [ana, ben] = await pair();
    const cara = await signupUser();
    await connect(ana, cara);
    const benSocket = await devices.connect(ben);
    const told = nextEvent(benSocket, 'conversation:updated');
    const created = await (
      await api()
    )
      .post(CONV)
      .set(as(ana))
      .send({ name: 'plans', memberIds: [ben.id] });
    expect(created.status).to.equal(201);
    const id = created.body.conversation.id as string;
    expect(await told)
      .to.include({ id })
      .and.not.have.property('unread');
    for (let i = 0; i < 3; i++) {
      const sent = await (
        await api()
      )
        .post(`${CONV}/${id}/messages`)
        .set(as(ben))
        .send({ clientMessageId: clientId(), text: `${i}` });
      expect(sent.status).to.equal(201);
    }
    // Ana has three unread; what Ben hears of her change says nothing of it.
    const changed = nextEvent(benSocket, 'conversation:updated', (e) => 'memberIds' in e && e.memberIds.includes(cara.id));
    const added = await (await api()).post(`${CONV}/${id}/members`).set(as(ana)).send({ userId: cara.id });
    expect(added.status).to.equal(204);
    const event = await changed;
    expect(event).not.to.have.property('unread');
    expect((await (await api()).get(`${CONV}/${id}`).set(as(ana))).body.conversation.unread).to.equal(3);
  });
});
