import { expect } from 'chai';
import supertest from 'supertest';
import { Message } from '../models/message.model.js';
import { clientId, collect, emitAck, eventually, nextEvent } from './support/chat.js';
import { connect } from './support/connections.js';
import { api } from './support/app.js';
import { as, payFor } from './support/payments.js';
import { startServer, type StartedServer } from './support/process.js';
import { connectClient, type TestSocket } from './support/socket-server.js';
import { signupUser, type SignedUp } from './support/users.js';

const CONV = '/api/v1/conversations';

/**
 * The seed rule CHAT_REQUIRES_PLAN, on a real server process started with it: a free member
 * is told which plans unlock chat and nothing they send is stored; Gold and Premium chat.
 * The suite's own server runs with it off, where the same free member chats.
 */
describe('chat limited to paying plans (CHAT_REQUIRES_PLAN)', function () {
  this.timeout(60_000);
  let gated: StartedServer;
  let url: string;
  const sockets: TestSocket[] = [];

  before(async () => {
    gated = await startServer(process.env.MONGODB_URI!, { CHAT_REQUIRES_PLAN: 'true', ENABLE_JOBS: 'false' }, 'the gated server');
    url = gated.url;
  });
  after(async () => {
    for (const s of sockets) s.close();
    gated.child.kill('SIGTERM');
    await gated.exited;
  });

  const on = async (user: SignedUp) => {
    const socket = await connectClient(url, { auth: { token: user.accessToken } });
    sockets.push(socket);
    return socket;
  };

  it('refuses a free member with the plans that unlock chat; Gold and Premium chat; off, the free member chats', async () => {
    const [free, gold, premium] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    await payFor(gold, 'gold');
    await payFor(premium, 'premium');
    await connect(free, gold);
    await connect(gold, premium);

    const [freeSocket, goldSocket, premiumSocket] = [await on(free), await on(gold), await on(premium)];
    const goldHears = collect(goldSocket, 'chat:message');

    // By socket: refused, with the plans named.
    const refused = await emitAck(freeSocket, 'chat:send', { toUserId: gold.id, clientMessageId: clientId(), text: 'hello?' });
    expect(refused.ok).to.equal(false);
    expect(refused.error?.code).to.equal('PLAN_REQUIRED');
    expect(refused.error?.message).to.equal('Chat comes with the Gold and Premium plans');

    // Gold writes to the free member (the sender's plan is what counts) and Premium to Gold.
    const toFree = nextEvent(freeSocket, 'chat:message', (m) => m.text === 'from gold');
    const fromGold = await emitAck(goldSocket, 'chat:send', {
      toUserId: free.id,
      clientMessageId: clientId(),
      text: 'from gold',
    });
    expect(fromGold.ok, JSON.stringify(fromGold)).to.equal(true);
    await toFree;
    const fromPremium = await emitAck(premiumSocket, 'chat:send', {
      toUserId: gold.id,
      clientMessageId: clientId(),
      text: 'from premium',
    });
    expect(fromPremium.ok, JSON.stringify(fromPremium)).to.equal(true);
    await eventually(() => goldHears.some((m) => m.text === 'from premium'), 5000, 'premium reaching gold');
    // The free member's attempt reached nobody: Gold heard Premium only (and their own, synced).
    expect(goldHears.filter((m) => m.senderId !== gold.id).map((m) => m.text)).to.deep.equal(['from premium']);

    // By HTTP, into the conversation Gold started: refused the same way, with the plans.
    const conversationId = fromGold.data!.conversationId;
    const viaHttp = await supertest(url)
      .post(`${CONV}/${conversationId}/messages`)
      .set(as(free))
      .send({ clientMessageId: clientId(), text: 'and now?' });
    expect(viaHttp.status).to.equal(403);
    expect(viaHttp.body.error).to.deep.include({ code: 'PLAN_REQUIRED', details: { plans: ['gold', 'premium'] } });
    expect(await Message.countDocuments({ conversationId, senderId: free.id })).to.equal(0);

    // The suite's own server runs with chat open to all: the same free member chats there.
    const open = await (
      await api()
    )
      .post(`${CONV}/${conversationId}/messages`)
      .set(as(free))
      .send({ clientMessageId: clientId(), text: 'free chat' });
    expect(open.status, JSON.stringify(open.body)).to.equal(201);
    expect(await Message.countDocuments({ conversationId, senderId: free.id })).to.equal(1);
  });
});
