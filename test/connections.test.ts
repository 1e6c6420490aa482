import { expect } from 'chai';
import { Types } from 'mongoose';
import { config } from '../config/index.js';
import { sendAdminConnectionAlert, sendRequestDigests } from '../services/mail/alerts.service.js';
import { AlertCounter } from '../models/alert-counter.model.js';
import { Connection } from '../models/connection.model.js';
import { DigestLog } from '../models/digest-log.model.js';
import { QuotaCounter } from '../models/quota-counter.model.js';
import { User } from '../models/user.model.js';
import { setPlan } from '../services/connections/quota.service.js';
import { api, freshIp } from './support/app.js';
import { connect, swipeAs } from './support/connections.js';
import { mailsTo, waitForMail } from './support/mail.js';
import { expectDocumented } from './support/openapi.js';
import { nextEvent } from './support/chat.js';
import { connectClient, startServer, type RunningServer, type TestSocket } from './support/socket-server.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';
import { eventually } from './support/eventually.js';

const as = (u: SignedUp) => bearer(u.accessToken);
/** Someone whose address is proven: only those get the product's mail. */
const verifiedUser = async (overrides: Record<string, unknown> = {}) => {
  const u = await signupUser(overrides);
  await User.updateOne({ _id: u.id }, { $set: { emailVerified: true } });
  return u;
};
const setNotifications = async (u: SignedUp, notifications: Record<string, unknown>) =>
  (await api()).patch('/api/v1/users/me').set(as(u)).send({ settings: { notifications } }).expect(200);
const C = '/api/v1/connections';
const idsOf = (res: { body: { items: { user: { id: string } }[] } }) => res.body.items.map((i) => i.user.id);

describe('connections', () => {
  let server: RunningServer;
  const sockets: TestSocket[] = [];
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server.close();
  });
  const listen = async (u: SignedUp) => {
    const s = await connectClient(server.url, { auth: { token: u.accessToken } });
    sockets.push(s);
    return s;
  };

  it('a request reaches the receiver live and by mail; swiping back connects both, told live', async () => {
    const [ana, ben] = await Promise.all([signupUser({ firstName: 'Ana' }), verifiedUser()]);
    const [anaSocket, benSocket] = await Promise.all([listen(ana), listen(ben)]);
    const requested = nextEvent(benSocket, 'connection:request');
    const res = await swipeAs(ana, ben, 'interested');
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expectDocumented(res, 'post', `${C}/{userId}`);
    expect(res.body).to.deep.include({ matched: false });
    expect(res.body.connection).to.include({ senderId: ana.id, receiverId: ben.id, status: 'interested' });
    expect((await requested).from.id).to.equal(ana.id);
    const mail = await waitForMail(ben.input.email, /Ana wants to connect/);
    expect(mail.body.text).to.include(`@${ana.input.username}`);

    const received = await (await api()).get(`${C}/requests/received`).set(as(ben));
    expectDocumented(received, 'get', `${C}/requests/received`);
    expect(idsOf(received)).to.deep.equal([ana.id]);
    const sent = await (await api()).get(`${C}/requests/sent`).set(as(ana));
    expect(idsOf(sent)).to.deep.equal([ben.id]);

    const told = [nextEvent(anaSocket, 'connection:accepted'), nextEvent(benSocket, 'connection:accepted')];
    const back = await swipeAs(ben, ana, 'interested');
    expect([back.status, back.body.matched, back.body.connection.status]).to.deep.equal([200, true, 'accepted']);
    expectDocumented(back, 'post', `${C}/{userId}`);
    const [toAna, toBen] = await Promise.all(told);
    expect([toAna!.user.id, toBen!.user.id]).to.deep.equal([ben.id, ana.id]);
    // The sender stays the sender.
    const stored = await Connection.findOne({ senderId: ana.id, receiverId: ben.id }).lean();
    expect(stored?.status).to.equal('accepted');
    const friends = await (await api()).get(C).set(as(ana));
    expectDocumented(friends, 'get', C);
    expect(idsOf(friends)).to.deep.equal([ben.id]);
    expect(idsOf(await (await api()).get(C).set(as(ben)))).to.deep.equal([ana.id]);
  });

  it('only the receiver reviews, only a pending request, only once', async () => {
    const [a, b, c] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    const requestId = (await swipeAs(a, b, 'interested')).body.connection.id;
    const path = `${C}/requests/${requestId}`;
    for (const who of [c, a]) {
      const res = await (await api()).post(path).set(as(who)).send({ action: 'accepted' });
      expect([res.status, res.body.error.code]).to.deep.equal([404, 'NOT_FOUND']);
    }
    const ok = await (await api()).post(path).set(as(b)).send({ action: 'rejected' });
    expect([ok.status, ok.body.connection.status]).to.deep.equal([200, 'rejected']);
    expectDocumented(ok, 'post', `${C}/requests/{requestId}`);
    const twice = await (await api()).post(path).set(as(b)).send({ action: 'accepted' });
    expect([twice.status, twice.body.error.code]).to.deep.equal([409, 'ALREADY_REVIEWED']);
    expect((await Connection.findById(requestId).lean())?.status).to.equal('rejected');
    const bad = await (await api()).post(path).set(as(b)).send({ action: 'interested' });
    expect(bad.status).to.equal(400);
    // A rejected pair cannot be re-asked: to its sender the request is still pending, so
    // asking again is a repeat; the one who rejected it cannot turn it into a request.
    const again = await swipeAs(a, b, 'interested');
    expect([again.status, again.body.connection.status]).to.deep.equal([200, 'interested']);
    expect((await swipeAs(b, a, 'interested')).body.error.code).to.equal('ALREADY_SWIPED');
    expect((await Connection.findById(requestId).lean())?.status).to.equal('rejected');
  });

  it('a swipe whose action is a list is refused alike whoever the card: no answer tells a pass apart', async () => {
    const [ana, passer, stranger] = (await Promise.all(Array.from({ length: 3 }, () => signupUser()))) as [
      SignedUp,
      SignedUp,
      SignedUp,
    ];
    expect((await swipeAs(passer, ana, 'ignored')).status).to.equal(201);
    // Each item would pass the check one by one; an empty list has no item to check.
    for (const action of [['ignored'], ['interested'], [], ['ignored', 'interested']]) {
      const answers = [];
      for (const card of [passer, stranger]) {
        const res = await (await api()).post(`${C}/${card.id}`).set(as(ana)).send({ action });
        answers.push([res.status, res.body.error?.code, res.body.error?.details?.[0]?.field]);
      }
      expect(answers, JSON.stringify(action)).to.deep.equal([
        [400, 'VALIDATION_FAILED', 'action'],
        [400, 'VALIDATION_FAILED', 'action'],
      ]);
    }
    expect(await Connection.countDocuments({ senderId: ana.id })).to.equal(0);
    expect((await Connection.findOne({ senderId: passer.id, receiverId: ana.id }).lean())!.status).to.equal('ignored');
  });

  it('no one learns who passed on them or turned them down: each side sees only their own swipe', async () => {
    const [ana, passer, stranger, decliner, passer2, passer3] = (await Promise.all(
      Array.from({ length: 6 }, () => signupUser()),
    )) as [SignedUp, SignedUp, SignedUp, SignedUp, SignedUp, SignedUp];
    const passerSocket = await listen(passer);
    const passed = await swipeAs(passer, ana, 'ignored');
    expect(passed.status).to.equal(201);
    const shape = (res: { status: number; body: { connection: Record<string, unknown>; matched: boolean } }) => [
      res.status,
      res.body.matched,
      res.body.connection.status,
      res.body.connection.senderId,
      Object.keys(res.body.connection).sort(),
    ];
    const sentAt = Date.now();

    // Ana asks someone who passed on her and a stranger: the same answer, both listed as pending.
    const overPass = await swipeAs(ana, passer, 'interested');
    const fresh = await swipeAs(ana, stranger, 'interested');
    expect(shape(overPass)).to.deep.equal(shape(fresh));
    expect(shape(overPass)).to.deep.include.members([201, 'interested', ana.id]);
    expect(overPass.body.connection.receiverId).to.equal(passer.id);
    expect(Date.parse(overPass.body.connection.createdAt), 'the request reads as made now').to.be.at.least(sentAt - 1000);
    // So does its id, whose first bytes are a creation time: not the pass's.
    expect(parseInt(overPass.body.connection.id.slice(0, 8), 16) * 1000, 'the id dates now').to.be.at.least(sentAt - 2000);
    expect(overPass.body.connection.id).to.not.equal(passed.body.connection.id);
    const again = await swipeAs(ana, passer, 'interested');
    expect(shape(again)).to.deep.equal(shape(await swipeAs(ana, stranger, 'interested')));
    const sent = await (await api()).get(`${C}/requests/sent`).set(as(ana));
    expect(idsOf(sent).sort()).to.deep.equal([passer.id, stranger.id].sort());
    expect(sent.body.items.map((i: { status: string }) => i.status)).to.deep.equal(['interested', 'interested']);
    expect((await (await api()).get('/api/v1/users/me/quota').set(as(ana))).body.quota).to.include({ used: 2 });

    // The one who passed hears nothing, has no request, and still sees their own pass.
    const later = nextEvent(passerSocket, 'connection:request');
    await swipeAs(stranger, passer, 'interested');
    expect((await later).from.id, 'the first request the passer hears of').to.equal(stranger.id);
    expect(idsOf(await (await api()).get(`${C}/requests/received`).set(as(passer)))).to.deep.equal([stranger.id]);
    const ownPass = await swipeAs(passer, ana, 'ignored');
    expect([ownPass.status, ownPass.body.connection]).to.deep.equal([200, passed.body.connection]);
    expect((await swipeAs(passer, ana, 'interested')).body.error.code).to.equal('ALREADY_SWIPED');
    const review = await (
      await api()
    )
      .post(`${C}/requests/${passed.body.connection.id}`)
      .set(as(passer))
      .send({ action: 'accepted' });
    expect([review.status, review.body.error.code]).to.deep.equal([404, 'NOT_FOUND']);
    expect(idsOf(await (await api()).get(C).set(as(ana)))).to.deep.equal([]);

    // A request turned down stays pending to its sender.
    const asked = await swipeAs(ana, decliner, 'interested');
    await (
      await api()
    )
      .post(`${C}/requests/${asked.body.connection.id}`)
      .set(as(decliner))
      .send({ action: 'rejected' })
      .expect(200);
    const stillSent = await (await api()).get(`${C}/requests/sent`).set(as(ana));
    expect(idsOf(stillSent)).to.include(decliner.id);
    expect(stillSent.body.items.every((i: { status: string }) => i.status === 'interested')).to.equal(true);
    const reasked = await swipeAs(ana, decliner, 'interested');
    expect([reasked.status, reasked.body.connection.status]).to.deep.equal([200, 'interested']);

    // A pass over a pass answers as a first pass.
    await swipeAs(passer2, ana, 'ignored');
    const bothPass = await swipeAs(ana, passer2, 'ignored');
    expect([bothPass.status, bothPass.body.connection.status, bothPass.body.connection.senderId]).to.deep.equal([
      201,
      'ignored',
      ana.id,
    ]);

    // Over the daily quota, a request over a pass is refused as any other and leaves the pass as it was.
    const before = await swipeAs(passer3, ana, 'ignored');
    const over = await swipeAs(ana, passer3, 'interested');
    expect([over.status, over.body.error.code]).to.deep.equal([429, 'QUOTA_EXCEEDED']);
    const stored = await Connection.findById(before.body.connection.id).lean();
    expect([String(stored?.senderId), stored?.status, stored?.passedAt]).to.deep.equal([passer3.id, 'ignored', undefined]);
    expect((await swipeAs(passer3, ana, 'ignored')).body.connection).to.deep.equal(before.body.connection);
  });

  it('stores one record for repeated and concurrent swipes, and counts the quota once', async () => {
    const [a, b, c] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    const results = await Promise.all(Array.from({ length: 5 }, () => swipeAs(a, b, 'interested')));
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 200, 200, 200, 201]);
    expect(await Connection.countDocuments({ memberIds: a.id })).to.equal(1);
    const quota = await (await api()).get('/api/v1/users/me/quota').set(as(a));
    expectDocumented(quota, 'get', '/api/v1/users/me/quota');
    expect(quota.body.quota).to.include({ plan: 'free', limit: 3, used: 1, remaining: 2 });
    // Both swiping at once: one record, and it is a connection.
    const both = await Promise.all([swipeAs(b, c, 'interested'), swipeAs(c, b, 'interested')]);
    expect(both.map((r) => r.status).sort()).to.deep.equal([200, 201]);
    expect((await Connection.find({ memberIds: c.id }).lean()).map((x) => x.status)).to.deep.equal(['accepted']);
  });

  it('refuses oneself, missing and malformed users, blocked users and bad actions', async () => {
    const [a, b, blocker] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    expect((await swipeAs(a, a, 'interested')).body.error.code).to.equal('CANNOT_CONNECT_SELF');
    expect((await swipeAs(a, { id: '5f0000000000000000000000' }, 'interested')).status).to.equal(404);
    expect((await swipeAs(a, { id: 'not-an-id' }, 'interested')).status).to.equal(400);
    const weird = await (
      await api()
    )
      .post(`${C}/${b.id}`)
      .set(as(a))
      .send({ action: { $ne: 'x' } });
    expect(weird.status).to.equal(400);
    await (await api()).post(`/api/v1/users/${a.id}/block`).set(as(blocker)).expect(204);
    expect((await swipeAs(a, blocker, 'interested')).status).to.equal(404);
    expect((await swipeAs(blocker, a, 'interested')).status).to.equal(404);
    expect(await Connection.countDocuments({ memberIds: blocker.id })).to.equal(0);
  });

  it('hides blocked people from requests and friends, and they cannot review', async () => {
    const [a, b, c] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    const requestId = (await swipeAs(a, b, 'interested')).body.connection.id;
    await connect(a, c);
    await (await api()).post(`/api/v1/users/${a.id}/block`).set(as(b)).expect(204);
    await (await api()).post(`/api/v1/users/${c.id}/block`).set(as(a)).expect(204);
    expect(idsOf(await (await api()).get(`${C}/requests/received`).set(as(b)))).to.deep.equal([]);
    expect(idsOf(await (await api()).get(`${C}/requests/sent`).set(as(a)))).to.deep.equal([]);
    expect(idsOf(await (await api()).get(C).set(as(a)))).to.deep.equal([]);
    expect(idsOf(await (await api()).get(C).set(as(c)))).to.deep.equal([]);
    const review = await (await api()).post(`${C}/requests/${requestId}`).set(as(b)).send({ action: 'accepted' });
    expect(review.status).to.equal(404);
  });

  it('removes a connection once', async () => {
    const [a, b] = await Promise.all([signupUser(), signupUser()]);
    await connect(a, b);
    const del = await (await api()).delete(`${C}/${b.id}`).set(as(a));
    expect(del.status).to.equal(204);
    expect(idsOf(await (await api()).get(C).set(as(b)))).to.deep.equal([]);
    expect((await (await api()).delete(`${C}/${b.id}`).set(as(a))).status).to.equal(404);
  });

  it('enforces the daily quota exactly under parallel requests, by plan', async () => {
    const sender = await signupUser();
    const targets = await Promise.all(Array.from({ length: 7 }, () => signupUser()));
    const results = await Promise.all(targets.map((t) => swipeAs(sender, t, 'interested')));
    const refused = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 201)).to.have.length(config.plans.free.dailyRequests!);
    expect(refused).to.have.length(7 - config.plans.free.dailyRequests!);
    expect(refused[0]!.body.error.code).to.equal('QUOTA_EXCEEDED');
    expect(refused[0]!.body.error.details).to.include({ limit: 3, remaining: 0 });
    expect(Date.parse(refused[0]!.body.error.details.resetAt)).to.be.greaterThan(Date.now());
    expectDocumented(refused[0]!, 'post', `${C}/{userId}`);
    expect(await Connection.countDocuments({ senderId: sender.id })).to.equal(3);
    const counter = await QuotaCounter.findOne({ userId: sender.id }).lean();
    expect(counter?.used).to.equal(3);
    // Ignoring is never counted.
    const untouched = targets.filter((_, i) => results[i]!.status === 429);
    expect((await swipeAs(sender, untouched[0]!, 'ignored')).status).to.equal(201);

    await setPlan(sender.id, 'gold', new Date(Date.now() + 86_400_000));
    const gold = await (await api()).get('/api/v1/users/me/quota').set(as(sender));
    expect(gold.body.quota).to.include({ plan: 'gold', limit: 5, used: 3, remaining: 2 });
    await setPlan(sender.id, 'gold', new Date(Date.now() - 1000));
    expect((await (await api()).get('/api/v1/users/me/quota').set(as(sender))).body.quota.plan).to.equal('free');
    await setPlan(sender.id, 'premium', new Date(Date.now() + 86_400_000));
    const premium = await (await api()).get('/api/v1/users/me/quota').set(as(sender));
    expect(premium.body.quota).to.include({ plan: 'premium', limit: null, remaining: null });
    expect((await swipeAs(sender, untouched[1]!, 'interested')).status).to.equal(201);
    expect((await User.findById(sender.id).lean())?.verifiedBadge, 'premium brings the blue tick').to.equal(true);
  });

  it('adds a contact by email with the same answer for known and unknown addresses, rate limited', async () => {
    const [me, known] = await Promise.all([signupUser(), signupUser()]);
    const add = (email: string) =>
      api().then((a) => a.post('/api/v1/contacts').set(as(me)).set('X-Forwarded-For', freshIp()).send({ email }));
    const [k, u] = [await add(known.input.email.toUpperCase()), await add(`nobody-${Date.now()}@example.com`)];
    expect([k.status, k.body]).to.deep.equal([u.status, u.body]);
    expect(k.status).to.equal(202);
    expectDocumented(k, 'post', '/api/v1/contacts');
    await eventually(async () => Boolean(await Connection.exists({ senderId: me.id, receiverId: known.id })));
    expect(await Connection.exists({ senderId: me.id, receiverId: known.id, status: 'interested' })).to.not.equal(null);
    expect((await add('not-an-email')).status).to.equal(400);
    // Unlimited requests, so what refuses below is the hourly limit and not the day's quota.
    await setPlan(me.id, 'premium', new Date(Date.now() + 86_400_000));
    const statuses: number[] = [];
    for (let i = 0; i < config.limits.contactsPerHour; i++) statuses.push((await add(`x${i}@example.com`)).status);
    expect(statuses).to.include(429);
  });

  it('adding by email tells nothing of the address: the same quota spent, and no name in the sent list until answered', async () => {
    const [me, known] = await Promise.all([signupUser(), signupUser()]);
    // Someone who cannot be found by search or discovery: the address is the only way to them.
    await User.updateOne({ _id: known.id }, { $set: { 'settings.privacy.discoverable': false } });
    const client = await api();
    const used = async () => (await client.get('/api/v1/users/me/quota').set(as(me))).body.quota.used as number;
    const add = (email: string) => client.post('/api/v1/contacts').set(as(me)).set('X-Forwarded-For', freshIp()).send({ email });
    expect((await add(`nobody-${Date.now()}@example.com`)).status).to.equal(202);
    expect(await used()).to.equal(1);
    expect((await add(known.input.email)).status).to.equal(202);
    await eventually(async () => Boolean(await Connection.exists({ senderId: me.id, receiverId: known.id })));
    expect(await used(), 'no second charge for the request itself').to.equal(2);
    const sent = await client.get('/api/v1/connections/requests/sent').set(as(me));
    expect(sent.status).to.equal(200);
    expect(idsOf(sent)).to.deep.equal([]);
    // The one asked is told who asked; once they accept, each has the other.
    const received = await client.get('/api/v1/connections/requests/received').set(as(known));
    expect(idsOf(received)).to.deep.equal([me.id]);
    await client
      .post(`/api/v1/connections/requests/${received.body.items[0].id}`)
      .set(as(known))
      .send({ action: 'accepted' })
      .expect(200);
    expect(idsOf(await client.get('/api/v1/connections').set(as(me)))).to.deep.equal([known.id]);
    // The day's quota is spent by addresses alike: the next add is refused whatever it names.
    expect((await add(`nobody2-${Date.now()}@example.com`)).status).to.equal(202);
    expect((await add(known.input.email)).body.error?.code).to.equal('QUOTA_EXCEEDED');
  });

  it('a swipe on someone asked by address answers as a first swipe; an add by address never accepts a request waiting', async () => {
    const [me, asked, passed, asker, other] = await Promise.all([
      signupUser(),
      signupUser(),
      signupUser(),
      signupUser(),
      signupUser(),
    ]);
    const client = await api();
    const used = async (u: SignedUp) => (await client.get('/api/v1/users/me/quota').set(as(u))).body.quota.used as number;
    const add = (u: SignedUp, email: string) =>
      client.post('/api/v1/contacts').set(as(u)).set('X-Forwarded-For', freshIp()).send({ email }).expect(202);
    const made = (from: SignedUp, to: SignedUp) =>
      eventually(async () => Boolean(await Connection.exists({ senderId: from.id, receiverId: to.id })));
    await add(me, asked.input.email);
    await add(me, passed.input.email);
    await Promise.all([made(me, asked), made(me, passed)]);
    expect(await used(me)).to.equal(2);
    const toldId: string = (await client.get(`${C}/requests/received`).set(as(asked))).body.items[0].id;
    // As a first swipe would answer: 201 both, a like spends a request, a pass nothing.
    const like = await swipeAs(me, asked, 'interested');
    const pass = await swipeAs(me, passed, 'ignored');
    expect([like.status, pass.status]).to.deep.equal([201, 201]);
    expect(await used(me)).to.equal(3);
    expect(idsOf(await client.get('/api/v1/connections/requests/sent').set(as(me)))).to.deep.equal([asked.id]);
    expect((await Connection.findOne({ senderId: me.id, receiverId: passed.id }).lean())?.status).to.equal('ignored');

    // Someone waiting for an answer is not accepted by an add of their address: it would name them.
    expect((await swipeAs(asker, other, 'interested')).status).to.equal(201);
    await add(other, asker.input.email);
    // The add's request runs behind its answer: one made after it has had its turn.
    await add(other, passed.input.email);
    await made(other, passed);
    const waiting = await Connection.findOne({ senderId: asker.id, receiverId: other.id }).lean();
    expect(waiting?.status).to.equal('interested');
    expect(idsOf(await client.get('/api/v1/connections').set(as(other)))).to.deep.equal([]);

    // To the one asked, the request keeps the id they were told of (a notice, a push): they answer it by that id.
    const received = await client.get(`${C}/requests/received`).set(as(asked));
    expect(received.body.items.map((i: { id: string }) => i.id)).to.deep.equal([toldId]);
    const accepted = await client.post(`${C}/requests/${toldId}`).set(as(asked)).send({ action: 'accepted' });
    expect([accepted.status, accepted.body.connection.id, accepted.body.connection.status]).to.deep.equal([
      200,
      toldId,
      'accepted',
    ]);
    expect(idsOf(await client.get(C).set(as(me)))).to.deep.equal([asked.id]);
  });

  it('a swipe after an add by address answers alike whether the request was turned down or is waiting', async () => {
    const [me, decliner, waiter] = (await Promise.all([signupUser(), signupUser(), signupUser()])) as [
      SignedUp,
      SignedUp,
      SignedUp,
    ];
    await setPlan(me.id, 'premium', new Date(Date.now() + 86_400_000));
    const client = await api();
    for (const u of [decliner, waiter]) {
      await client
        .post('/api/v1/contacts')
        .set(as(me))
        .set('X-Forwarded-For', freshIp())
        .send({ email: u.input.email })
        .expect(202);
    }
    await eventually(async () => (await Connection.countDocuments({ senderId: me.id })) === 2);
    const asked = await client.get(`${C}/requests/received`).set(as(decliner));
    expect(idsOf(asked)).to.deep.equal([me.id]);
    await client.post(`${C}/requests/${asked.body.items[0].id}`).set(as(decliner)).send({ action: 'rejected' }).expect(200);

    const [declined, waiting] = [await swipeAs(me, decliner, 'interested'), await swipeAs(me, waiter, 'interested')];
    const shape = (res: typeof declined) => [
      res.status,
      res.body.matched,
      res.body.connection.status,
      res.body.connection.senderId,
    ];
    expect(shape(declined)).to.deep.equal([201, false, 'interested', me.id]);
    expect(shape(waiting)).to.deep.equal(shape(declined));
    expect(declined.body.connection.id, 'a new record, not the dated request by address').to.not.equal(asked.body.items[0].id);
    const sent = await client.get(`${C}/requests/sent`).set(as(me));
    expect(idsOf(sent)).to.have.members([decliner.id, waiter.id]);
    expect(sent.body.items.map((i: { status: string }) => i.status)).to.deep.equal(['interested', 'interested']);
    for (const u of [decliner, waiter]) expect((await swipeAs(me, u, 'interested')).status).to.equal(200);
    // The one who turned it down still has no request, and cannot answer it again.
    expect(idsOf(await client.get(`${C}/requests/received`).set(as(decliner)))).to.deep.equal([]);
    expect(
      (await Connection.findOne({ pairKey: { $exists: true }, senderId: me.id, receiverId: decliner.id }).lean())?.status,
    ).to.equal('rejected');
  });

  it('a swipe over its own request by address past the quota is refused and leaves the request as it was', async () => {
    const [me, asked, x, y] = (await Promise.all([signupUser(), signupUser(), signupUser(), signupUser()])) as [
      SignedUp,
      SignedUp,
      SignedUp,
      SignedUp,
    ];
    const client = await api();
    await client
      .post('/api/v1/contacts')
      .set(as(me))
      .set('X-Forwarded-For', freshIp())
      .send({ email: asked.input.email })
      .expect(202);
    await eventually(async () => Boolean(await Connection.exists({ senderId: me.id, receiverId: asked.id })));
    for (const u of [x, y]) expect((await swipeAs(me, u, 'interested')).status).to.equal(201);
    const told: string = (await client.get(`${C}/requests/received`).set(as(asked))).body.items[0].id;

    const over = await swipeAs(me, asked, 'interested');
    expect([over.status, over.body.error.code]).to.deep.equal([429, 'QUOTA_EXCEEDED']);
    const stored = await Connection.findById(told).lean();
    expect([stored?.status, stored?.via]).to.deep.equal(['interested', 'contact']);
    const accepted = await client.post(`${C}/requests/${told}`).set(as(asked)).send({ action: 'accepted' });
    expect([accepted.status, accepted.body.connection.status]).to.deep.equal([200, 'accepted']);
  });

  it('pages its lists by sealed cursors that name no row, shown or hidden', async () => {
    const [me, a, b, hidden, shown] = await Promise.all([signupUser(), signupUser(), signupUser(), signupUser(), signupUser()]);
    await connect(me, a);
    await connect(me, b);
    const page = async (path: string, cursor?: string) => {
      const res = await (
        await api()
      )
        .get(path)
        .set(as(me))
        .query({ limit: 1, ...(cursor ? { cursor } : {}) });
      return res;
    };
    const first = await page(C);
    const second = await page(C, first.body.nextCursor);
    expect([...idsOf(first), ...idsOf(second)]).to.deep.equal([b.id, a.id]);
    expect(first.body.nextCursor)
      .to.be.a('string')
      .and.not.match(/^[a-f0-9]{24}$/);

    // The newest request comes from someone since blocked: the first page shows nothing of it.
    expect((await swipeAs(shown, me, 'interested')).status).to.equal(201);
    expect((await swipeAs(hidden, me, 'interested')).status).to.equal(201);
    await (await api()).post(`/api/v1/users/${hidden.id}/block`).set(as(me));
    const stored = await Connection.findOne({ senderId: hidden.id, receiverId: me.id }).lean();
    const top = await page(`${C}/requests/received`);
    expect(idsOf(top)).to.deep.equal([]);
    expect(top.body.nextCursor).to.not.include(String(stored!._id));
    expect(idsOf(await page(`${C}/requests/received`, top.body.nextCursor))).to.deep.equal([shown.id]);

    // Only a cursor this list handed out is taken back.
    for (const cursor of [String(stored!._id), first.body.nextCursor]) {
      const res = await page(`${C}/requests/received`, cursor);
      expect([res.status, res.body.error?.code]).to.deep.equal([400, 'INVALID_CURSOR']);
    }
  });

  it('a suspended person can be neither asked nor accepted: to others they answer as nobody', async () => {
    const [me, suspended, sender] = await Promise.all([signupUser(), signupUser(), signupUser()]);
    const nobody = await (await api()).post(`${C}/${new Types.ObjectId().toString()}`).set(as(me)).send({ action: 'ignored' });
    const asked = await swipeAs(sender, me, 'interested');
    expect(asked.status).to.equal(201);
    const until = new Date(Date.now() + 3_600_000);
    await User.updateMany({ _id: { $in: [suspended.id, sender.id] } }, { $set: { suspendedUntil: until } });

    for (const action of ['ignored', 'interested'] as const) {
      const res = await swipeAs(me, suspended, action);
      expect([res.status, res.body.error?.code], action).to.deep.equal([nobody.status, nobody.body.error.code]);
    }
    expect(await Connection.exists({ memberIds: suspended.id }), 'nothing stored').to.equal(null);
    const accept = () =>
      api().then((c) => c.post(`${C}/requests/${asked.body.connection.id}`).set(as(me)).send({ action: 'accepted' }));
    expect((await accept()).status, 'a request from someone since suspended').to.equal(404);
    expect((await Connection.findById(asked.body.connection.id).lean())?.status).to.equal('interested');

    await User.updateOne({ _id: sender.id }, { $set: { suspendedUntil: new Date(Date.now() - 1000) } });
    expect((await accept()).status, 'once the suspension is over').to.equal(200);
  });

  it('a request mails only a proven address whose owner left mail on', async () => {
    const senders = await Promise.all(['Ana', 'Ben', 'Cal', 'Dee'].map((firstName) => signupUser({ firstName })));
    const [ana, ben, cal, dee] = senders as [SignedUp, SignedUp, SignedUp, SignedUp];
    // Someone signed up with this address; its owner never proved it is theirs.
    const squatted = await signupUser();
    const heard = nextEvent(await listen(squatted), 'connection:request');
    expect((await swipeAs(ana, squatted, 'interested')).status).to.equal(201);
    expect((await heard).from.id, 'told in the app all the same').to.equal(ana.id);

    await User.updateOne({ _id: squatted.id }, { $set: { emailVerified: true } });
    await setNotifications(squatted, { email: false });
    expect((await swipeAs(ben, squatted, 'interested')).status).to.equal(201);
    await setNotifications(squatted, { email: true });
    expect((await swipeAs(cal, squatted, 'interested')).status).to.equal(201);
    await waitForMail(squatted.input.email, /Cal wants to connect/);
    expect((await swipeAs(dee, squatted, 'interested')).status).to.equal(201);
    await waitForMail(squatted.input.email, /Dee wants to connect/);
    const subjects = (await mailsTo(squatted.input.email)).map((m) => m.subject).filter((s) => /wants to connect/.test(s));
    expect(subjects.sort()).to.deep.equal(['Cal wants to connect', 'Dee wants to connect']);
  });

  it('the daily digest goes to a proven address with mail on, and counts only requests its reader can see', async () => {
    const receiver = await signupUser();
    await setNotifications(receiver, { requests: 'daily' });
    const [seen, alsoSeen, blocked, banned] = await Promise.all([signupUser(), signupUser(), signupUser(), signupUser()]);
    for (const s of [seen, alsoSeen, blocked, banned]) expect((await swipeAs(s, receiver, 'interested')).status).to.equal(201);
    expect((await (await api()).post(`/api/v1/users/${blocked.id}/block`).set(as(receiver))).status).to.be.oneOf([200, 201, 204]);
    await User.updateOne({ _id: banned.id }, { $set: { bannedAt: new Date() } });
    const digests = async () => (await mailsTo(receiver.input.email)).filter((m) => /pending/.test(m.subject));

    await sendRequestDigests();
    expect(await digests(), 'an address nobody proved').to.have.length(0);
    await User.updateOne({ _id: receiver.id }, { $set: { emailVerified: true } });
    await setNotifications(receiver, { email: false });
    await sendRequestDigests();
    expect(await digests(), 'mail turned off').to.have.length(0);
    await setNotifications(receiver, { email: true });
    await sendRequestDigests();
    const [digest] = await digests();
    expect(digest?.body.text).to.include('2 pending');
    const listed = await (await api()).get(`${C}/requests/received`).set(as(receiver));
    expect(idsOf(listed).sort()).to.deep.equal([seen.id, alsoSeen.id].sort());
  });

  it('sends the daily digest once per user per day, and batches admin alerts', async () => {
    const [receiver, s1, s2] = await Promise.all([verifiedUser(), signupUser(), signupUser()]);
    await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(receiver))
      .send({ settings: { notifications: { requests: 'daily' } } })
      .expect(200);
    await swipeAs(s1, receiver, 'interested');
    await swipeAs(s2, receiver, 'interested');
    // The job awaits each mail it sends: once it returns, everything it sent is in the store,
    // after any request mail the swipes before it would have sent.
    await sendRequestDigests();
    await sendRequestDigests();
    const digest = await waitForMail(receiver.input.email, /2 pending connection requests/);
    expect(digest.body.text).to.include('2 pending');
    expect((await mailsTo(receiver.input.email)).filter((m) => /pending/.test(m.subject))).to.have.length(1);
    expect((await mailsTo(receiver.input.email)).filter((m) => /wants to connect/.test(m.subject))).to.have.length(0);
    expect(await DigestLog.countDocuments({ _id: new RegExp(`^${receiver.id}:`) })).to.equal(1);

    await connect(s1, s2);
    const before = (await mailsTo(config.alerts.adminEmail!)).filter((m) => /new connections/.test(m.subject)).length;
    const reported = await sendAdminConnectionAlert();
    expect(reported).to.be.at.least(1);
    expect(await sendAdminConnectionAlert(), 'nothing new, nothing sent').to.equal(0);
    await waitForMail(config.alerts.adminEmail!, /new connections/, before + 1);
    expect((await AlertCounter.findById('connections').lean())?.pending).to.equal(0);
  });
});
