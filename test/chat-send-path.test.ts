import { expect } from 'chai';
import { Types } from 'mongoose';
import { config } from '../config/index.js';
import { Conversation, ConversationMember } from '../models/conversation.model.js';
import { Message } from '../models/message.model.js';
import { flushConversationTails } from '../services/chat/conversation-tail.js';
import { sequences } from '../services/chat/message-sequence.js';
import { closeRedis, connectRedis, type RedisClient } from '../services/redis.service.js';
import { api } from './support/app.js';
import { clientId, collect, emitAck, eventually, nextEvent, useSocketServer } from './support/chat.js';
import { connect } from './support/connections.js';
import type { TestSocket } from './support/socket-server.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const CONV = '/api/v1/conversations';

/**
 * The send path keeps three things out of the ack's way: who may send (remembered per
 * process until something changes it), the message number (a counter, not a database
 * write) and the conversation's last message (written behind). Each is driven here the
 * way it could go wrong.
 */
describe('chat send path: remembered access, numbers, last message', () => {
  const devices = useSocketServer();
  let redis: RedisClient | undefined;
  before(async () => {
    if (config.redisUrl) redis = await connectRedis(config.redisUrl);
  });
  after(() => closeRedis(redis));

  const send = (socket: TestSocket, conversationId: string, text: string) =>
    emitAck(socket, 'chat:send', { conversationId, clientMessageId: clientId(), text });

  /** Ana connected to Ben and Cara, a group of Ana's with the members chosen, and a socket each. */
  async function groupOfThree(name: string, members: (ben: SignedUp, cara: SignedUp) => string[]) {
    const [ana, ben, cara] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    await Promise.all([connect(ana, ben), connect(ana, cara)]);
    const created = await (
      await api()
    )
      .post(CONV)
      .set(as(ana))
      .send({ name, memberIds: members(ben, cara) });
    const id: string = created.body.conversation.id;
    const [anaSocket, benSocket, caraSocket] = await Promise.all([
      devices.connect(ana),
      devices.connect(ben),
      devices.connect(cara),
    ]);
    return { ana, ben, cara, id, anaSocket, benSocket, caraSocket };
  }

  /** Two connected people with a direct conversation opened by a first message of `a`. */
  async function opened() {
    const [a, b] = await Promise.all([signupUser(), signupUser()]);
    await connect(a, b);
    const socket = await devices.connect(a);
    const first = await emitAck(socket, 'chat:send', { toUserId: b.id, clientMessageId: clientId(), text: 'one' });
    expect(first.ok, JSON.stringify(first)).to.equal(true);
    return { a, b, socket, conversationId: first.data!.conversationId };
  }

  const storedNumbers = async (conversationId: string) =>
    (await Message.find({ conversationId }, { seq: 1 }).sort({ seq: 1 }).lean()).map((m) => m.seq);

  it('forgets a remembered right to send at once when the connection ends', async () => {
    const { a, b, socket, conversationId } = await opened();
    expect((await send(socket, conversationId, 'two')).ok).to.equal(true);
    expect((await (await api()).delete(`/api/v1/connections/${a.id}`).set(as(b))).status).to.equal(204);
    const refused = await send(socket, conversationId, 'three');
    expect(refused.error?.code).to.equal('NOT_CONNECTED');
    expect(await storedNumbers(conversationId)).to.deep.equal([1, 2]);
  });

  it('an unfriended person can no longer edit, react or type in the direct chat, and the other hears none of it', async () => {
    const { a, b, socket, conversationId } = await opened();
    const bSocket = await devices.connect(b);
    const mine = await send(socket, conversationId, 'two');
    const messageId = mine.data!.id as string;
    /** What b hears of each while `act` runs (a round trip on b's socket lets published events arrive). */
    const bHears = async (act: () => Promise<void>) => {
      const heard = (['chat:typing', 'chat:reaction', 'chat:edited'] as const).map((event) => collect(bSocket, event));
      await act();
      await emitAck(bSocket, 'chat:typing', { conversationId, isTyping: false });
      return heard.map((events) => events.length);
    };
    // While connected, each works (and remembers who hears it).
    const before = await bHears(async () => {
      expect((await emitAck(socket, 'chat:typing', { conversationId, isTyping: true })).ok).to.equal(true);
      expect((await emitAck(socket, 'chat:react', { messageId, emoji: '👍' })).ok).to.equal(true);
    });
    expect(before).to.deep.equal([1, 1, 0]);

    expect((await (await api()).delete(`/api/v1/connections/${a.id}`).set(as(b))).status).to.equal(204);
    const after = await bHears(async () => {
      const typing = await emitAck(socket, 'chat:typing', { conversationId, isTyping: true });
      const react = await emitAck(socket, 'chat:react', { messageId, emoji: '🎉' });
      const edit = await emitAck(socket, 'chat:edit', { messageId, text: 'edited after' });
      expect([typing, react, edit].map((r) => r.error?.code)).to.deep.equal(['NOT_CONNECTED', 'NOT_CONNECTED', 'NOT_CONNECTED']);
      const httpEdit = await (
        await api()
      )
        .patch(`${CONV}/${conversationId}/messages/${messageId}`)
        .set(as(a))
        .send({ text: 'edited over HTTP' });
      expect(httpEdit.status).to.equal(403);
      expect(httpEdit.body.error.code).to.equal('NOT_CONNECTED');
    });
    expect(after).to.deep.equal([0, 0, 0]);
    // Reading a's message moves b's own pointer, but a is told nothing of it any more.
    const receipts = collect(socket, 'chat:read');
    const read = await (await api()).post(`${CONV}/${conversationId}/read`).set(as(b)).send({ upToMessageId: messageId });
    expect(read.status, JSON.stringify(read.body)).to.equal(200);
    expect(read.body.lastReadSeq).to.equal(2);
    await emitAck(socket, 'chat:typing', { conversationId, isTyping: false });
    expect(receipts).to.deep.equal([]);
    const stored = await Message.findById(messageId).lean();
    expect(stored?.editedAt).to.equal(undefined);
    expect(stored?.reactions).to.deep.equal({ '👍': 1 });
  });

  it('groups: an added member hears the very next message; a removed one can no longer send', async () => {
    const { ana, ben, cara, id, anaSocket, benSocket, caraSocket } = await groupOfThree('Trio', (ben) => [ben.id]);
    // Both senders' rights are remembered now.
    expect((await send(anaSocket, id, 'before')).ok).to.equal(true);
    expect((await send(benSocket, id, 'me too')).ok).to.equal(true);

    expect((await (await api()).post(`${CONV}/${id}/members`).set(as(ana)).send({ userId: cara.id })).status).to.equal(204);
    const caraHears = nextEvent(caraSocket, 'chat:message', (m) => m.conversationId === id);
    expect((await send(anaSocket, id, 'welcome')).ok).to.equal(true);
    expect((await caraHears).text).to.equal('welcome');

    expect((await (await api()).delete(`${CONV}/${id}/members/${ben.id}`).set(as(ana))).status).to.equal(204);
    const gone = await send(benSocket, id, 'still here?');
    expect(gone.error?.code).to.equal('NOT_FOUND');
    expect(await Message.countDocuments({ conversationId: id, senderId: ben.id })).to.equal(1);
  });

  it('a member removed while others keep sending cannot send on a right remembered before', async () => {
    const { ana, ben, id, anaSocket, benSocket, caraSocket } = await groupOfThree('Four', (ben, cara) => [ben.id, cara.id]);
    for (const socket of [anaSocket, benSocket, caraSocket]) expect((await send(socket, id, 'hello')).ok).to.equal(true);

    expect((await (await api()).delete(`${CONV}/${id}/members/${ben.id}`).set(as(ana))).status).to.equal(204);
    // The others' next sends are checked and remembered again, without Ben.
    for (const socket of [anaSocket, caraSocket]) expect((await send(socket, id, 'still here')).ok).to.equal(true);
    const gone = await send(benSocket, id, 'and me?');
    expect(gone.error?.code).to.equal('NOT_FOUND');
    expect(await Message.countDocuments({ conversationId: id, senderId: ben.id })).to.equal(1);
  });

  it('typing is told when it changes: repeats while the indicator lives and stops of no typing are not', async () => {
    const { b, socket, conversationId } = await opened();
    const bSocket = await devices.connect(b);
    const heard = collect(bSocket, 'chat:typing');
    const type = async (isTyping: boolean) =>
      expect((await emitAck(socket, 'chat:typing', { conversationId, isTyping })).ok).to.equal(true);
    for (let i = 0; i < 8; i++) await type(true);
    await type(false);
    await type(false);
    await type(true);
    await eventually(async () => heard.length >= 3, 2000, 'the three changes');
    // A round trip on b's socket lets anything else published arrive.
    await emitAck(bSocket, 'chat:typing', { conversationId, isTyping: false });
    expect(heard.map((e) => e.isTyping)).to.deep.equal([true, false, true]);
  });

  it('who hears typing is remembered, and a block, an unblock or a member leaving changes it at once', async () => {
    const {
      ana,
      ben,
      cara,
      id: groupId,
      anaSocket,
      benSocket,
      caraSocket,
    } = await groupOfThree('Typists', (ben, cara) => [ben.id, cara.id]);
    const pairId = (await emitAck(anaSocket, 'chat:send', { toUserId: ben.id, clientMessageId: clientId(), text: 'hi' })).data
      .conversationId;
    /** Ana types in the group (and stops): who of Ben and Cara heard it. */
    const heardInGroup = async () => {
      const [benHears, caraHears] = [collect(benSocket, 'chat:typing'), collect(caraSocket, 'chat:typing')];
      expect((await emitAck(anaSocket, 'chat:typing', { conversationId: groupId, isTyping: true })).ok).to.equal(true);
      expect((await emitAck(anaSocket, 'chat:typing', { conversationId: groupId, isTyping: false })).ok).to.equal(true);
      // Both events were published before the acks; a round trip on each socket lets them arrive.
      await Promise.all(
        [benSocket, caraSocket].map((s) => emitAck(s, 'chat:typing', { conversationId: groupId, isTyping: false })),
      );
      const fromAna = (seen: { userId: string }[]) => seen.some((p) => p.userId === ana.id);
      return { ben: fromAna(benHears), cara: fromAna(caraHears) };
    };
    // Remembered: typing twice, both hear it both times; and in the pair too.
    expect(await heardInGroup()).to.deep.equal({ ben: true, cara: true });
    expect(await heardInGroup()).to.deep.equal({ ben: true, cara: true });
    expect((await emitAck(anaSocket, 'chat:typing', { conversationId: pairId, isTyping: true })).ok).to.equal(true);

    // Ben blocks Ana: at once he no longer hears her in the group, and the pair refuses her typing.
    expect((await (await api()).post(`/api/v1/users/${ana.id}/block`).set(as(ben))).status).to.equal(204);
    expect(await heardInGroup()).to.deep.equal({ ben: false, cara: true });
    expect((await emitAck(anaSocket, 'chat:typing', { conversationId: pairId, isTyping: true })).error?.code).to.equal(
      'NOT_CONNECTED',
    );
    // Unblocked: he hears her again at once.
    expect((await (await api()).delete(`/api/v1/users/${ana.id}/block`).set(as(ben))).status).to.equal(204);
    expect(await heardInGroup()).to.deep.equal({ ben: true, cara: true });
    // Cara leaves: she hears nothing more.
    expect((await (await api()).delete(`${CONV}/${groupId}/members/${cara.id}`).set(as(cara))).status).to.equal(204);
    expect(await heardInGroup()).to.deep.equal({ ben: true, cara: false });
  });

  it('numbers go on from the stored messages when the counter is lost or behind, each number once', async function () {
    if (!redis) this.skip();
    const { a, socket, conversationId } = await opened();
    for (const text of ['two', 'three']) expect((await send(socket, conversationId, text)).ok).to.equal(true);
    const key = `${config.limits.prefix}chatseq:${conversationId}`;
    expect(await redis!.get(key)).to.equal('3');

    // Redis restarted (it keeps nothing on disk): the counter starts from the stored messages.
    await redis!.del(key);
    expect((await send(socket, conversationId, 'four')).data?.seq).to.equal(4);
    // A counter behind the stored messages (a start raced with a send): the clash is retried.
    await redis!.set(key, '1');
    expect((await send(socket, conversationId, 'five')).data?.seq).to.equal(5);
    // Many at once from two devices: every number once, none skipped.
    const phone = await devices.connect(a);
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => send(i % 2 ? phone : socket, conversationId, `burst ${i}`)),
    );
    expect(burst.every((r) => r.ok)).to.equal(true);
    expect(await storedNumbers(conversationId)).to.deep.equal(Array.from({ length: 17 }, (_, i) => i + 1));
  });

  it('shows the last message and unread counts at once, and stores them behind', async () => {
    const { a, b, socket, conversationId } = await opened();
    const sent = [];
    for (const text of ['two', 'three', 'four', 'five']) sent.push(await send(socket, conversationId, text));
    const listOf = async (u: SignedUp) =>
      (await (await api()).get(CONV).set(as(u))).body.conversations.find((c: { id: string }) => c.id === conversationId);
    const [mine, theirs] = [await listOf(a), await listOf(b)];
    expect(mine.lastMessage).to.include({ id: sent.at(-1)!.data!.id, seq: 5 });
    expect([mine.unread, theirs.unread]).to.deep.equal([0, 5]);
    const history = await (await api()).get(`${CONV}/${conversationId}/messages`).set(as(b));
    expect(history.body.messages.map((m: { seq: number }) => m.seq)).to.deep.equal([1, 2, 3, 4, 5]);

    await flushConversationTails();
    const stored = await Conversation.findById(conversationId).lean();
    expect([stored?.seq, String(stored?.lastMessage?.id)]).to.deep.equal([5, sent.at(-1)!.data!.id]);
    const pointer = await ConversationMember.findOne({ conversationId, userId: a.id }).lean();
    expect(pointer?.lastReadSeq).to.equal(5);
  });

  it('shows messages whose last-message record a dead process never wrote, in history and in sync', async function () {
    if (!redis) this.skip();
    const { b, socket, conversationId } = await opened();
    for (const text of ['two', 'three']) expect((await send(socket, conversationId, text)).ok).to.equal(true);
    await flushConversationTails();
    // As if the process died after storing messages 4 and 5, before writing their tail; Redis kept the counter.
    const stored = [4, 5].map((seq) => ({
      _id: new Types.ObjectId(),
      conversationId: new Types.ObjectId(conversationId),
      seq,
      bucket: 0,
      senderId: new Types.ObjectId(b.id),
      clientMessageId: clientId(),
      createdAt: new Date(),
      updatedAt: new Date(),
    }));
    await Message.collection.insertMany(stored);
    await redis!.set(`${config.limits.prefix}chatseq:${conversationId}`, '5');
    expect((await Conversation.findById(conversationId).lean())?.seq).to.equal(3);

    const history = await (await api()).get(`${CONV}/${conversationId}/messages`).set(as(b));
    expect(history.body.messages.map((m: { seq: number }) => m.seq)).to.deep.equal([1, 2, 3, 4, 5]);
    const benSocket = await devices.connect(b);
    const sync = await emitAck(benSocket, 'chat:sync', {});
    expect(sync.data!.messages.filter((m) => m.conversationId === conversationId).map((m) => m.seq)).to.deep.equal([
      1, 2, 3, 4, 5,
    ]);
    expect((await send(socket, conversationId, 'six')).data?.seq).to.equal(6);
  });

  it('a device back from hours away catches up on a message whose record a dead process never wrote', async () => {
    const { b, socket, conversationId } = await opened();
    expect((await send(socket, conversationId, 'two')).ok).to.equal(true);
    await flushConversationTails();
    // The recorded last message is from an hour ago; then a send took number 3 and its
    // process died after the insert, before recording it.
    const hourAgo = new Date(Date.now() - 3_600_000);
    await Conversation.updateOne({ _id: conversationId }, { $set: { lastMessageAt: hourAgo } });
    const seq = await sequences().next(conversationId);
    expect(seq).to.equal(3);
    await Message.collection.insertOne({
      _id: new Types.ObjectId(),
      conversationId: new Types.ObjectId(conversationId),
      seq,
      bucket: 0,
      senderId: new Types.ObjectId(b.id),
      clientMessageId: clientId(),
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    const since = `${Date.now() - 1_800_000}_`;
    const sync = await emitAck(await devices.connect(b), 'chat:sync', { since });
    expect(sync.data!.messages.filter((m) => m.conversationId === conversationId).map((m) => m.seq)).to.deep.equal([1, 2, 3]);
  });

  it('a resend of a message deleted since answers with the deleted message, not its old text', async () => {
    const { socket, conversationId } = await opened();
    const once = { conversationId, clientMessageId: clientId(), text: 'regret this' };
    const sent = await emitAck(socket, 'chat:send', once);
    expect((await emitAck(socket, 'chat:delete', { messageId: sent.data!.id })).ok).to.equal(true);
    const again = await emitAck(socket, 'chat:send', once);
    expect(again.data?.id).to.equal(sent.data!.id);
    expect(again.data?.text).to.equal(undefined);
    expect(again.data?.deletedAt).to.be.a('string');
  });

  it('a resend takes no number; sync steps over numbers left unused', async function () {
    if (!redis) this.skip();
    const { b, socket, conversationId } = await opened();
    const since = (await emitAck(await devices.connect(b), 'chat:sync', {})).data!.cursor;
    const twice = { conversationId, clientMessageId: clientId(), text: 'two' };
    const [first, again] = [await emitAck(socket, 'chat:send', twice), await emitAck(socket, 'chat:send', twice)];
    expect(again.data?.id).to.equal(first.data?.id);
    expect((await send(socket, conversationId, 'three')).data?.seq).to.equal(3);
    // Numbers 4 to 250 unused (resends that reached another process, say): bucket 1 holds nothing.
    await redis!.set(`${config.limits.prefix}chatseq:${conversationId}`, '250');
    expect((await send(socket, conversationId, 'after the gap')).data?.seq).to.equal(251);
    const sync = await emitAck(await devices.connect(b), 'chat:sync', { since });
    expect(sync.data!.messages.filter((m) => m.conversationId === conversationId).map((m) => m.seq)).to.deep.equal([2, 3, 251]);
  });
});
