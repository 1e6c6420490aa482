import { expect } from 'chai';
import { User } from '../models/user.model.js';
import { clientId, collect, emitAck, eventually, nextEvent, type Pushed } from './support/chat.js';
import { connect } from './support/connections.js';
import { connectClient, startServer, type RunningServer, type TestSocket } from './support/socket-server.js';
import { api } from './support/app.js';
import { bearer, signupUser, staffUser, type SignedUp } from './support/users.js';

// Two servers on the same database and Redis: the admin watches one, the people use the other.
describe('admin live counters over sockets', () => {
  let watched: RunningServer;
  let busy: RunningServer;
  const open: TestSocket[] = [];
  const on = async (server: RunningServer, u: SignedUp) => {
    const socket = await connectClient(server.url, { auth: { token: u.accessToken } });
    open.push(socket);
    return socket;
  };

  before(async () => {
    [watched, busy] = await Promise.all([startServer(), startServer()]);
  });
  afterEach(() => open.splice(0).forEach((s) => s.close()));
  after(async () => {
    await watched.close();
    await busy.close();
  });

  it('tells admins who is online, messages per minute, queues and calls in every process, every few seconds', async () => {
    const admin = await staffUser('admin');
    const adminSocket = await on(watched, admin);
    const heard = collect(adminSocket, 'admin:live');
    await eventually(() => heard.length > 0, 4000, 'the first snapshot');
    const before = heard.at(-1)!;
    const latest = () => heard.at(-1)!;
    const seen = (check: (s: Pushed<'admin:live'>) => boolean, what: string) => eventually(() => check(latest()), 5000, what);

    const [a, b, c] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    await connect(a, b);
    const [aSocket, bSocket] = await Promise.all([on(busy, a), on(busy, b)]);
    await on(busy, a); // a second device is still one person
    await seen((s) => s.online === before.online + 2, 'two more people online');

    for (let i = 0; i < 3; i++) {
      const sent = await emitAck(aSocket, 'chat:send', { toUserId: b.id, text: `hi ${i}`, clientMessageId: clientId() });
      expect(sent.ok, JSON.stringify(sent)).to.equal(true);
    }
    await seen((s) => s.messagesPerMinute === before.messagesPerMinute + 3, 'three messages in the last minute');

    await (
      await api()
    )
      .patch('/api/v1/users/me/status')
      .set(bearer(c.accessToken))
      .send({ availableForMatching: true })
      .expect(200);
    const cSocket = await on(busy, c);
    const joined = await emitAck(cSocket, 'match:join', { mode: 'video' });
    expect(joined.ok, JSON.stringify(joined)).to.equal(true);
    await seen((s) => s.queues.video === before.queues.video + 1, 'one more in the video queue');

    const incoming = nextEvent(bSocket, 'call:incoming');
    const rang = await emitAck(aSocket, 'call:ring', { toUserId: b.id, mode: 'audio' });
    expect(rang.ok, JSON.stringify(rang)).to.equal(true);
    await incoming;
    await seen((s) => s.calls.ringing === before.calls.ringing + 1, 'a call ringing');
    expect((await emitAck(bSocket, 'call:accept', { callId: rang.data.callId })).ok).to.equal(true);
    await seen(
      (s) => s.calls.connected === before.calls.connected + 1 && s.calls.ringing === before.calls.ringing,
      'the call connected',
    );

    // Ticks keep coming (the interval is 200 ms in tests).
    const count = heard.length;
    await eventually(() => heard.length >= count + 3, 3000, 'more ticks');
    expect(new Date(latest().at).getTime()).to.be.greaterThan(new Date(before.at).getTime());
  });

  it('never reaches a user or a moderator, and stops for an admin who is no longer one', async () => {
    const [admin, moderator, user] = await Promise.all([staffUser('admin'), staffUser('moderator'), signupUser()]);
    const adminSocket = await on(watched, admin);
    const adminHeard = collect(adminSocket, 'admin:live');
    const others = [collect(await on(watched, moderator), 'admin:live'), collect(await on(watched, user), 'admin:live')];
    await eventually(() => adminHeard.length >= 3, 4000, 'the admin hearing ticks');
    expect(others).to.deep.equal([[], []]);

    // The token still says admin; the database no longer does: the next tick drops the socket.
    await User.updateOne({ _id: admin.id }, { $set: { role: 'user' } });
    await new Promise((r) => setTimeout(r, 500));
    const after = adminHeard.length;
    await new Promise((r) => setTimeout(r, 800));
    expect(adminHeard.length).to.equal(after);
  });
});
