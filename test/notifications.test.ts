import { expect } from 'chai';
import { config } from '../config/index.js';
import { MessageNoticeCheck } from '../models/message-notice-check.model.js';
import { announceNotice, pushNotice } from '../services/notifications/notification.service.js';
import { announceLeftNotices } from '../services/notifications/pending-announcements.js';
import {
  runDueMessageNoticeChecks,
  startMessageNoticeChecks,
  stopMessageNoticeChecks,
} from '../services/notifications/message-notice.js';
import { Types } from 'mongoose';
import { ConversationMember } from '../models/conversation.model.js';
import { Notification } from '../models/notification.model.js';
import { User } from '../models/user.model.js';
import { expireMemberships, remindExpiring } from '../services/payments/membership.service.js';
import { usePresenceStore } from '../services/presence/presence.service.js';
import { RedisPresenceStore } from '../services/presence/presence.store.js';
import { closeRedis, connectRedis } from '../services/redis.service.js';
import { api } from './support/app.js';
import { hasRedisServer, PrivateRedis } from './support/redis-server.js';
import { clientId, collect, emitAck, eventually, nextEvent, useSocketServer } from './support/chat.js';
import { waitForMail } from './support/mail.js';
import { deliver, order, payFor, paymentEvent } from './support/payments.js';
import { razorpayStandIn } from './support/razorpay-standin.js';
import { heard, noticesOf, NOTIFICATIONS, ofType } from './support/notifications.js';
import { connect, swipeAs } from './support/connections.js';
import { expectDocumented } from './support/openapi.js';
import { POSTS, readyPost } from './support/posts.js';
import { bearer, signupUser, staffUser, trustedUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const N = NOTIFICATIONS;
const CONVERSATIONS = '/api/v1/conversations';
const supertestMute = async (u: SignedUp, conversationId: string, body: object) =>
  (await api()).put(`${CONVERSATIONS}/${conversationId}/mute`).set(as(u)).send(body);

const like = async (u: SignedUp, postId: string) => (await api()).post(`${POSTS}/${postId}/like`).set(as(u)).expect(200);
const comment = async (u: SignedUp, postId: string, extra: Record<string, string> = {}) => {
  const res = await (
    await api()
  )
    .post(`${POSTS}/${postId}/comments`)
    .set(as(u))
    .send({ text: 'nice', ...extra });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body.comment as { id: string };
};
/** Ana and Ben, connected, in a group of Ana's: the conversation a message check is about. */
async function anaAndBenInAGroup() {
  const [ana, ben] = await Promise.all([signupUser({ firstName: 'Ana' }), signupUser()]);
  await connect(ben, ana);
  const group = await (
    await api()
  )
    .post(CONVERSATIONS)
    .set(as(ana))
    .send({ name: 'pair', memberIds: [ben.id] });
  return { ana, ben, conversationId: group.body.conversation.id as string };
}

/** A message sent over HTTP, and its conversation's message check stored (told once due). */
async function sendAndAwaitCheck(u: SignedUp, conversationId: string, text: string) {
  await (
    await api()
  )
    .post(`${CONVERSATIONS}/${conversationId}/messages`)
    .set(as(u))
    .send({ clientMessageId: clientId(), text })
    .expect(201);
  await eventually(async () => Boolean(await MessageNoticeCheck.exists({ _id: conversationId })), 3000, 'the stored check');
}

/** A new notice stored as notify() stores one: marked until a run tells it. */
const markedNotice = (u: SignedUp, fields: object = {}) =>
  Notification.create({ userId: u.id, type: 'post_ready', at: new Types.ObjectId(), announcePending: true, ...fields });

describe('notifications', () => {
  const devices = useSocketServer();

  it('groups likes of one post into one notice, pushed live with the unread count; nobody hears of their own acts', async () => {
    const author = await signupUser({ firstName: 'Ada' });
    const post = await readyPost(author);
    await heard(author, 'post_ready');
    const socket = await devices.connect(author);
    const pushed = collect(socket, 'notification:new');
    const counts = collect(socket, 'notification:count');
    const fans = await Promise.all(['Ana', 'Bo', 'Cy'].map((firstName) => signupUser({ firstName })));
    for (const fan of fans) await like(fan, post.id);
    await eventually(() => pushed.filter((n) => n.type === 'like').at(-1)?.actorCount === 3, 3000, 'the third liker pushed');
    const before = (await ofType(author, 'like'))[0]!;
    // Unliking and liking again is still one person, and no news: the notice neither moves nor pushes.
    await (await api()).delete(`${POSTS}/${post.id}/like`).set(as(fans[0]!)).expect(200);
    await like(fans[0]!, post.id);
    await like(author, post.id);
    // A later notice of the author's proves the relike's (had it one) was written first.
    await comment(fans[1]!, post.id);
    await heard(author, 'comment');
    const likes = await ofType(author, 'like');
    expect(likes).to.have.length(1);
    expect(likes[0]).to.deep.equal(before);
    expect(likes[0]).to.deep.include({ actorCount: 3, text: 'Cy and 2 others liked your post', read: false });
    expect(likes[0]!.actor).to.deep.include({ id: fans[2]!.id, firstName: 'Cy' });
    expect(likes[0]!.target).to.deep.equal({ kind: 'post', id: post.id });
    expect(new Set(pushed.filter((n) => n.type === 'like').map((n) => n.id))).to.deep.equal(new Set([likes[0]!.id]));
    expect(pushed.filter((n) => n.type === 'like' && n.updatedAt > before.updatedAt)).to.deep.equal([]);
    const page = await (await api()).get(N).set(as(author));
    expectDocumented(page, 'get', N);
    expect(page.body.unread).to.equal(3); // the like group, the comment and "your post is ready"
    await eventually(() => counts.at(-1)?.unread === 3, 3000, 'the pushed count');
    expect((await (await api()).get(`${N}/unread-count`).set(as(author))).body).to.deep.equal({ unread: 3 });
  });

  it('a new notice told after a join of the same group, both folded, is still counted, and once', async () => {
    const author = await signupUser();
    const fan = await signupUser();
    const socket = await devices.connect(author);
    const counts = collect(socket, 'notification:count');
    const told = collect(socket, 'notification:new');
    // Stored as notify() stores a new notice: marked until told.
    const fresh = await Notification.create({
      userId: author.id,
      type: 'like',
      target: { kind: 'post', id: new Types.ObjectId() },
      at: new Types.ObjectId(),
      actorIds: [fan.id],
      actorCount: 1,
      lastActorId: fan.id,
      announcePending: true,
    });
    // As racing likes may report it: a join first (told at once), then the start and another
    // join, folded into one run when the window closes.
    pushNotice(author.id, fresh._id, false);
    pushNotice(author.id, fresh._id, true);
    pushNotice(author.id, fresh._id, false);
    await eventually(() => counts.length === 1, 3000, 'the count of the new notice');
    expect(counts[0]).to.deep.equal({ unread: 1 });
    // Once: a later join's run tells the notice again, and counts nothing. Two new notices
    // after it, each counted once: a count from that run would make four.
    pushNotice(author.id, fresh._id, false);
    await eventually(() => told.length === 3, 3000, 'the notice told a third time');
    for (const unread of [2, 3]) {
      const next = await markedNotice(author);
      pushNotice(author.id, next._id, true);
      await eventually(() => counts.at(-1)?.unread === unread, 3000, `the count of ${unread}`);
    }
    expect(counts).to.deep.equal([{ unread: 1 }, { unread: 2 }, { unread: 3 }]);
  });

  it('a new notice left untold by a failure or a crash is told by the notices job, once; not one read since, nor stale news', async () => {
    const author = await signupUser();
    const fan = await signupUser();
    const socket = await devices.connect(author);
    const counts = collect(socket, 'notification:count');
    const told = collect(socket, 'notification:new');
    const post = await readyPost(author);
    await eventually(() => counts.length === 1, 3000, 'post_ready counted');
    // Told as it starts: its mark is off once told, and nothing tells it again (the job, or a
    // second process that read it before).
    await like(fan, post.id);
    const liked = await heard(author, 'like');
    await eventually(() => counts.length === 2, 3000, 'the like counted');
    expect((await Notification.findById(liked.id).lean())!.announcePending).to.equal(false);
    expect(await announceNotice(author.id, new Types.ObjectId(liked.id), true)).to.equal(false);
    // Left marked, as notify() stores them, by a process that went down before telling them.
    const left = await markedNotice(author);
    const readSince = await markedNotice(author, { readAt: new Date() });
    await announceLeftNotices(new Date(Date.now() + 61_000));
    await eventually(() => counts.length === 3, 3000, 'the left notice counted');
    // Over ten minutes late it is no news: it stays in the list and the count, untold.
    const stale = await markedNotice(author);
    await announceLeftNotices(new Date(Date.now() + 11 * 60_000));
    await announceLeftNotices(new Date(Date.now() + 11 * 60_000));
    expect(
      await Notification.countDocuments({ _id: { $in: [liked.id, left._id, readSince._id, stale._id] }, announcePending: true }),
    ).to.equal(0);
    // The next count is the next new notice's: nothing was told twice, nor the others.
    await comment(fan, post.id);
    await eventually(() => counts.length === 4, 3000, 'the comment counted');
    expect(counts).to.deep.equal([{ unread: 1 }, { unread: 2 }, { unread: 3 }, { unread: 5 }]);
    const toldIds = told.map((n) => n.id);
    expect(toldIds.filter((id) => id === liked.id)).to.have.length(1);
    expect(toldIds.filter((id) => id === String(left._id))).to.have.length(1);
    expect(toldIds).to.not.include(String(readSince._id));
    expect(toldIds).to.not.include(String(stale._id));
  });

  it('two runs telling one marked notice at once (two processes) tell it once', async () => {
    const author = await signupUser();
    const socket = await devices.connect(author);
    const counts = collect(socket, 'notification:count');
    const told = collect(socket, 'notification:new');
    const notice = await markedNotice(author);
    const runs = await Promise.all([announceNotice(author.id, notice._id, true), announceNotice(author.id, notice._id, true)]);
    expect([...runs].sort()).to.deep.equal([false, true]);
    // A later notice's count proves nothing more was on its way from the losing run.
    const next = await markedNotice(author);
    expect(await announceNotice(author.id, next._id, true)).to.equal(true);
    await eventually(() => counts.length >= 2, 3000, 'the next count');
    expect(counts).to.deep.equal([{ unread: 1 }, { unread: 2 }]);
    expect(told.map((n) => n.id)).to.deep.equal([String(notice._id), String(next._id)]);
  });

  it('read ones stay as they were: the next like starts a new notice; read all, delete, and 404 for anyone else', async () => {
    const [author, fan, late, stranger] = await Promise.all([signupUser(), signupUser(), signupUser(), signupUser()]);
    const post = await readyPost(author);
    await like(fan, post.id);
    await heard(author, 'like');
    const [first] = await ofType(author, 'like');

    // Someone else's notice: 404 to read or delete it, and it stays unread.
    for (const req of [
      (await api()).post(`${N}/${first!.id}/read`).set(as(stranger)),
      (await api()).delete(`${N}/${first!.id}`).set(as(stranger)),
    ]) {
      const res = await req;
      expect(res.status).to.equal(404);
      expect(res.body.error.code).to.equal('NOT_FOUND');
    }
    expect((await ofType(author, 'like'))[0]!.read).to.equal(false);
    for (const bad of ['x', '{"$ne":null}']) {
      expect((await (await api()).post(`${N}/${encodeURIComponent(bad)}/read`).set(as(author))).status).to.equal(400);
    }

    const read = await (await api()).post(`${N}/${first!.id}/read`).set(as(author));
    expectDocumented(read, 'post', `${N}/{id}/read`);
    expect(read.body.notification).to.deep.include({ id: first!.id, read: true, actorCount: 1 });
    await like(late, post.id);
    await eventually(async () => (await ofType(author, 'like')).length === 2, 3000, 'a second like notice');
    const [newer, older] = await ofType(author, 'like');
    expect(newer).to.deep.include({ actorCount: 1, read: false });
    expect(newer!.actor!.id).to.equal(late.id);
    expect(older).to.deep.include({ id: first!.id, actorCount: 1, read: true });

    const all = await (await api()).post(`${N}/read-all`).set(as(author));
    expectDocumented(all, 'post', `${N}/read-all`);
    expect(all.body).to.deep.equal({ unread: 0 });
    expect((await noticesOf(author)).items.every((n) => n.read)).to.equal(true);
    const gone = await (await api()).delete(`${N}/${first!.id}`).set(as(author));
    expect(gone.status).to.equal(204);
    expect((await ofType(author, 'like')).map((n) => n.id)).to.deep.equal([newer!.id]);
    expect(await Notification.countDocuments({ _id: first!.id })).to.equal(0);
  });

  it('pages by cursor, newest activity first, and refuses a cursor that is not one', async () => {
    const author = await signupUser();
    const posts = await Promise.all(Array.from({ length: 3 }, () => readyPost(author)));
    await eventually(async () => (await ofType(author, 'post_ready')).length === 3, 3000, 'three ready notices');
    const fan = await signupUser();
    await like(fan, posts[1]!.id);
    await heard(author, 'like');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await noticesOf(author, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((n) => n.type));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).to.deep.equal(['like', 'post_ready', 'post_ready', 'post_ready']);
    for (const bad of ['x', '99999999999999999999', '{"$gt":""}']) {
      const res = await (await api()).get(`${N}?cursor=${encodeURIComponent(bad)}`).set(as(author));
      expect(res.status, bad).to.equal(400);
    }
    expect((await (await api()).get(`${N}?limit=500`).set(as(author))).status).to.equal(400);
    // A cursor from before everything: an empty page at once.
    const ancient = new Types.ObjectId('000000000000000000000000').toHexString();
    expect((await noticesOf(author, `?cursor=${ancient}`)).items).to.deep.equal([]);
  });

  it('tells of requests, acceptances, comments, replies and mentions, each to the right person', async () => {
    const [ana, ben, cy] = await Promise.all([signupUser({ firstName: 'Ana' }), signupUser({ firstName: 'Ben' }), signupUser()]);
    expect((await swipeAs(ana, ben, 'interested')).status).to.equal(201);
    await heard(ben, 'connection_request');
    expect((await ofType(ben, 'connection_request'))[0]).to.deep.include({ text: 'Ana wants to connect with you' });
    await swipeAs(ben, ana, 'interested');
    await heard(ana, 'connection_accepted');
    expect((await ofType(ana, 'connection_accepted'))[0]).to.deep.include({ text: 'Ben accepted your connection request' });

    const post = await readyPost(ana);
    const top = await comment(ben, post.id);
    await comment(cy, post.id, { parentId: top.id, text: `me too @${ana.input.username}` });
    await heard(ben, 'reply');
    await heard(ana, 'mention');
    // The reply is ben's to hear, not a second comment on ana's post.
    expect((await ofType(ana, 'comment'))[0]).to.deep.include({ actorCount: 1, text: 'Ben commented on your post' });
    expect((await ofType(ben, 'reply'))[0]!.target).to.deep.equal({ kind: 'comment', id: top.id, postId: post.id });
    expect(await ofType(cy, 'reply')).to.deep.equal([]);
  });

  it('a block takes the blocked person out of every notice, and one left with nobody goes', async () => {
    const [author, fan, troll] = await Promise.all([signupUser(), signupUser({ firstName: 'Fan' }), signupUser()]);
    const [solo, shared] = await Promise.all([readyPost(author), readyPost(author)]);
    await like(troll, solo.id);
    await like(fan, shared.id);
    await like(troll, shared.id);
    await eventually(async () => (await ofType(author, 'like')).some((n) => n.actorCount === 2), 3000, 'the shared post notice');
    await (await api()).post(`/api/v1/users/${troll.id}/block`).set(as(author)).expect(204);
    const likes = await ofType(author, 'like');
    expect(likes).to.have.length(1);
    expect(likes[0]).to.deep.include({ actorCount: 1, text: 'Fan liked your post' });
    expect(JSON.stringify(await noticesOf(author))).to.not.include(troll.id);
    expect(await Notification.countDocuments({ userId: author.id, actorIds: new Types.ObjectId(troll.id) })).to.equal(0);
  });

  it('honours per-type preferences, and refuses malformed ones without changing anything', async () => {
    const [author, fan] = await Promise.all([signupUser(), signupUser()]);
    const prefs = await (await api()).get(`${N}/preferences`).set(as(author));
    expectDocumented(prefs, 'get', `${N}/preferences`);
    expect(prefs.body.preferences.like).to.deep.equal({ inApp: 'immediate', push: 'immediate', email: 'off' });
    const off = await (
      await api()
    )
      .patch(`${N}/preferences`)
      .set(as(author))
      .send({ like: { inApp: 'off' } });
    expectDocumented(off, 'patch', `${N}/preferences`);
    // Off in the app is off everywhere: push and email tell of in-app notices.
    expect(off.body.preferences.like).to.deep.equal({ inApp: 'off', push: 'off', email: 'off' });
    expect(off.body.preferences.comment).to.deep.equal({ inApp: 'immediate', push: 'immediate', email: 'off' });

    for (const bad of [
      {},
      { like: 'off' },
      { like: { inApp: 'sometimes' } },
      { like: { inApp: { gt: '' } } },
      { like: { sms: 'off' } },
      { poke: { inApp: 'off' } },
      { like: {} },
      { payment_failed: { inApp: 'off' } },
      { moderation: { inApp: 'off' } },
      [{ like: { inApp: 'immediate' } }],
    ]) {
      const res = await (await api()).patch(`${N}/preferences`).set(as(author)).send(bad);
      expect(res.status, JSON.stringify(bad)).to.equal(400);
      expect(res.body.error.code).to.equal(Array.isArray(bad) ? 'BODY_NOT_OBJECT' : 'VALIDATION_FAILED');
    }
    expect((await (await api()).get(`${N}/preferences`).set(as(author))).body.preferences.like).to.deep.equal({
      inApp: 'off',
      push: 'off',
      email: 'off',
    });

    const post = await readyPost(author);
    const socket = await devices.connect(author);
    const pushed = collect(socket, 'notification:new');
    await like(fan, post.id);
    // The comment after it is heard: a like notice would have come first.
    const commented = nextEvent(socket, 'notification:new', (n) => n.type === 'comment');
    await comment(fan, post.id);
    await commented;
    // (The post's own post_ready notice may arrive in between: only the like must not.)
    expect(pushed.map((n) => n.type))
      .to.include('comment')
      .and.not.include('like');
    expect(await ofType(author, 'like')).to.deep.equal([]);

    // Back on: the next like is told.
    const on = await (
      await api()
    )
      .patch(`${N}/preferences`)
      .set(as(author))
      .send({ like: { email: 'daily' } });
    // Asking for email keeps the notice in the app too; push stays as it was left.
    expect(on.body.preferences.like).to.deep.equal({ inApp: 'immediate', push: 'off', email: 'daily' });
    await like(await signupUser({ firstName: 'Lu' }), post.id);
    expect((await heard(author, 'like')).text).to.equal('Lu liked your post');
  });

  it('tells of memberships granted, ending and ended, of a failed payment, of missed calls and not of declined ones', async () => {
    const member = await trustedUser();
    const { paymentId } = await payFor(member, 'gold');
    expect((await heard(member, 'membership_granted')).text).to.equal('Your Gold membership is active');
    const expiresAt = (await User.findById(member.id, { planExpiresAt: 1 }).lean())!.planExpiresAt!;
    // Reminded once per expiry, however often the job looks.
    const dayBefore = new Date(expiresAt.getTime() - 86_400_000);
    await remindExpiring(dayBefore);
    await remindExpiring(dayBefore);
    expect((await heard(member, 'membership_expiring')).text).to.equal('Your Gold membership ends soon');
    await expireMemberships(new Date(expiresAt.getTime() + 60_000));
    expect((await heard(member, 'membership_expired')).text).to.equal('Your Gold membership has ended');
    expect(await ofType(member, 'membership_expiring')).to.have.length(1);
    expect(await ofType(member, 'payment_failed')).to.deep.equal([]);

    const rz = await razorpayStandIn();
    const created = await order(member, 'gold');
    expect(created.paymentId).to.not.equal(paymentId);
    await deliver(await paymentEvent('payment.failed', rz.pay(created.orderId, 'failed', { error_description: 'declined' })));
    const failed = await heard(member, 'payment_failed');
    // Emailed at once by default: it concerns their money.
    expect((await waitForMail(member.input.email, /A payment did not go through/)).body.text).to.include(
      'A payment did not go through',
    );
    expect(failed).to.deep.include({ text: 'A payment did not go through', target: { kind: 'payment', id: created.paymentId } });

    const [caller, callee] = await Promise.all([signupUser({ firstName: 'Cal' }), signupUser()]);
    await connect(caller, callee);
    const [callerSocket, calleeSocket] = [await devices.connect(caller), await devices.connect(callee)];
    const declined = await emitAck(callerSocket, 'call:ring', { toUserId: callee.id, mode: 'audio' });
    await emitAck(calleeSocket, 'call:decline', { callId: declined.data!.callId });
    const givenUp = await emitAck(callerSocket, 'call:ring', { toUserId: callee.id, mode: 'video' });
    await emitAck(callerSocket, 'call:cancel', { callId: givenUp.data!.callId });
    const missed = await heard(callee, 'missed_call');
    expect(missed).to.deep.include({ text: 'You missed a call from Cal', target: { kind: 'call', id: givenUp.data!.callId } });
    // The declined call, ended before the second rang, left no notice; the caller has none.
    expect(await ofType(callee, 'missed_call')).to.have.length(1);
    expect(await ofType(caller, 'missed_call')).to.deep.equal([]);

    // Ringing and hanging up again and again is one unread notice (and one push), not one each.
    const told = collect(calleeSocket, 'notification:new');
    for (let i = 0; i < 3; i++) {
      const again = await emitAck(callerSocket, 'call:ring', { toUserId: callee.id, mode: 'audio' });
      await emitAck(callerSocket, 'call:cancel', { callId: again.data!.callId });
    }
    // A notice of another kind after them: by its arrival, theirs are settled.
    const ping = nextEvent(calleeSocket, 'notification:new', (n) => n.type === 'like');
    const post = await readyPost(callee);
    await (await api()).post(`${POSTS}/${post.id}/like`).set(as(caller)).expect(200);
    await ping;
    expect(await ofType(callee, 'missed_call')).to.have.length(1);
    expect(told.filter((n) => n.type === 'missed_call')).to.deep.equal([]);
    // Once read, the next missed call is news again.
    await (await api()).post(`${N}/read-all`).set(as(callee)).expect(200);
    const later = await emitAck(callerSocket, 'call:ring', { toUserId: callee.id, mode: 'audio' });
    await emitAck(callerSocket, 'call:cancel', { callId: later.data!.callId });
    await eventually(async () => (await ofType(callee, 'missed_call')).length === 2, 5000, 'a new notice after reading');
  });

  it('the live mention follows the notice: once per post and person, and none with mentions switched off', async () => {
    const [author, fan, named, quiet, witness] = await Promise.all([
      signupUser(),
      signupUser(),
      signupUser(),
      signupUser(),
      signupUser(),
    ]);
    await (
      await api()
    )
      .patch(`${N}/preferences`)
      .set(as(quiet))
      .send({ mention: { inApp: 'off' } })
      .expect(200);
    const post = await readyPost(author);
    const [namedSocket, quietSocket, witnessSocket] = await Promise.all([
      devices.connect(named),
      devices.connect(quiet),
      devices.connect(witness),
    ]);
    const [toNamed, toQuiet] = [collect(namedSocket, 'post:mentioned'), collect(quietSocket, 'post:mentioned')];
    const first = nextEvent(namedSocket, 'post:mentioned');
    await comment(fan, post.id, { text: `hi @${named.input.username}` });
    await first;
    // The mentions of one comment are told in turn: by the witness's event, the others' are settled.
    const settled = nextEvent(witnessSocket, 'post:mentioned');
    await comment(fan, post.id, { text: `again @${named.input.username} @${quiet.input.username} @${witness.input.username}` });
    await settled;
    expect(toNamed, 'a second comment naming them is no news').to.have.length(1);
    expect(toQuiet, 'mentions switched off').to.deep.equal([]);
    expect(await ofType(quiet, 'mention')).to.deep.equal([]);
  });

  it('tells a like, share or mention once per person and post; no reply to someone who cannot see the post; no chat shares', async () => {
    const [author, fan, named, friend] = await Promise.all([
      signupUser({ firstName: 'Ada' }),
      signupUser({ firstName: 'Fan' }),
      signupUser(),
      signupUser(),
    ]);
    const post = await readyPost(author);
    await like(fan, post.id);
    await heard(author, 'like');
    await (await api()).post(`${N}/read-all`).set(as(author)).expect(200);
    // Undo and redo after the author read it: not news again.
    await (await api()).delete(`${POSTS}/${post.id}/like`).set(as(fan)).expect(200);
    await like(fan, post.id);

    // Two comments naming the same person: one mention notice, which names its post.
    await comment(fan, post.id, { text: `hi @${named.input.username}` });
    await comment(fan, post.id, { text: `again @${named.input.username}` });

    // Shared to the feed: told; into a conversation: not.
    await connect(fan, friend);
    await (await api()).post(`${POSTS}/${post.id}/shares`).set(as(fan)).send({ to: 'feed' }).expect(201);
    const group = await (
      await api()
    )
      .post('/api/v1/conversations')
      .set(as(fan))
      .send({ name: 'pals', memberIds: [friend.id] });
    expect(group.status, JSON.stringify(group.body)).to.equal(201);
    const other = await readyPost(author);
    const privately = await (
      await api()
    )
      .post(`${POSTS}/${other.id}/shares`)
      .set(as(fan))
      .send({ to: 'conversation', conversationId: group.body.conversation.id, clientMessageId: clientId() });
    expect(privately.status, JSON.stringify(privately.body)).to.equal(201);
    // A comment after all of that: by its notice, every earlier one is written.
    await comment(friend, post.id, { text: 'last' });
    await heard(author, 'comment');
    const shares = await ofType(author, 'share');
    expect(shares.map((n) => n.target)).to.deep.equal([{ kind: 'post', id: post.id }]);
    const likes = await ofType(author, 'like');
    expect(likes.map((n) => n.read)).to.deep.equal([true]);
    const mentions = await ofType(named, 'mention');
    expect(mentions).to.have.length(1);
    expect(mentions[0]!.target).to.include({ kind: 'comment', postId: post.id });

    // Ben commented, then the author blocked him: a reply to his comment tells him nothing.
    const [ben, cy] = await Promise.all([signupUser(), signupUser()]);
    const bens = await comment(ben, post.id);
    await (await api()).post(`/api/v1/users/${ben.id}/block`).set(as(author)).expect(204);
    await comment(cy, post.id, { parentId: bens.id });
    await swipeAs(cy, ben, 'interested');
    await heard(ben, 'connection_request');
    expect(await ofType(ben, 'reply')).to.deep.equal([]);
  });

  it('tells of messages to a member still offline after the grace period; not one back in time, nor in a muted conversation', async () => {
    const people = ['Ana', 'Eve', 'Ben', 'Carl', 'Dan', 'Stranger'].map((firstName) => signupUser({ firstName }));
    const [ana, eve, ben, carl, dan, stranger] = (await Promise.all(people)) as [
      SignedUp,
      SignedUp,
      SignedUp,
      SignedUp,
      SignedUp,
      SignedUp,
    ];
    for (const other of [eve, ben, carl, dan]) await connect(other, ana);
    const group = await (
      await api()
    )
      .post(CONVERSATIONS)
      .set(as(ana))
      .send({ name: 'crew', memberIds: [eve.id, ben.id, carl.id, dan.id] });
    expect(group.status, JSON.stringify(group.body)).to.equal(201);
    const conversationId: string = group.body.conversation.id;
    const mute = (u: SignedUp, body: object) => supertestMute(u, conversationId, body);

    // Muting: hostile or stale bodies and non-members refused; dan mutes without an end.
    for (const bad of [
      { until: '2000-01-01T00:00:00Z' },
      { until: 'soon' },
      { until: { $gt: '' } },
      { until: '2999-01-01T00:00:00Z' },
    ]) {
      const res = await mute(dan, bad);
      expect(res.status, JSON.stringify(bad)).to.equal(400);
      expect(res.body.error.code).to.be.oneOf(['VALIDATION_FAILED', 'INVALID_INPUT_KEY']);
    }
    expect((await mute(stranger, {})).status).to.equal(404);
    const muted = await mute(dan, {});
    expectDocumented(muted, 'put', `${CONVERSATIONS}/{id}/mute`);
    expect(muted.body).to.deep.equal({ muted: true, mutedUntil: null });

    const send = async (u: SignedUp, text: string) => {
      const res = await (
        await api()
      )
        .post(`${CONVERSATIONS}/${conversationId}/messages`)
        .set(as(u))
        .send({ clientMessageId: clientId(), text });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body.message as { id: string };
    };
    // The grace period passes when the test says (a busy machine can take longer than the
    // grace to send twice and connect): this process's timer stops, the runs come by hand.
    stopMessageNoticeChecks();
    const afterGrace = () => new Date(Date.now() + config.notifications.messageGraceMs + 1000);
    let last: { id: string };
    try {
      await sendAndAwaitCheck(ana, conversationId, 'hello crew');
      await send(ana, 'anyone?');
      // Carl comes back within the grace period.
      await devices.connect(carl);
      expect(await runDueMessageNoticeChecks(afterGrace())).to.be.at.least(1);

      const told = await heard(ben, 'message');
      expect(told).to.deep.include({
        text: 'Ana sent you a message',
        actorCount: 1,
        target: { kind: 'conversation', id: conversationId },
      });
      // Another sender joins the same notice, after a grace period of its own (once this
      // process's memory of the first check, a grace period long, has passed).
      await new Promise((resolve) => setTimeout(resolve, config.notifications.messageGraceMs));
      last = await send(eve, 'me too');
      await eventually(async () => Boolean(await MessageNoticeCheck.exists({ _id: conversationId })), 3000, "eve's check");
      expect(await runDueMessageNoticeChecks(afterGrace())).to.be.at.least(1);
      await eventually(async () => (await ofType(ben, 'message'))[0]?.actorCount === 2, 3000, "eve joining ben's notice");
    } finally {
      startMessageNoticeChecks();
    }
    const gathered = await ofType(ben, 'message');
    expect(gathered).to.have.length(1);
    expect(gathered[0]!.text).to.equal('Eve and 1 other sent you a message');
    // The checks for carl (back in time) and dan (muted) were made with ben's first: nothing for either.
    for (const u of [carl, dan]) expect(await ofType(u, 'message'), u.input.firstName).to.deep.equal([]);
    expect(JSON.stringify(await noticesOf(ben))).to.not.include('hello crew');

    // Reading the conversation reads its notice.
    await (await api()).post(`${CONVERSATIONS}/${conversationId}/read`).set(as(ben)).send({ upToMessageId: last.id }).expect(200);
    expect((await ofType(ben, 'message'))[0]!.read).to.equal(true);
    const unmuted = await (await api()).delete(`${CONVERSATIONS}/${conversationId}/mute`).set(as(dan));
    expectDocumented(unmuted, 'delete', `${CONVERSATIONS}/{id}/mute`);
    expect(unmuted.body).to.deep.equal({ muted: false, mutedUntil: null });
  });

  it('keeps waiting message checks in the database: one left by a stopped process is made by the next, once', async () => {
    const { ana, ben, conversationId } = await anaAndBenInAGroup();
    // This process stops checking, as if it went down with the check waiting.
    stopMessageNoticeChecks();
    try {
      await sendAndAwaitCheck(ana, conversationId, 'are you there?');
      expect(await ofType(ben, 'message')).to.deep.equal([]);
      // The next process, once the grace period is over, makes it; a second run finds nothing more.
      const later = new Date(Date.now() + config.notifications.messageGraceMs + 1000);
      expect(await runDueMessageNoticeChecks(later)).to.be.at.least(1);
      expect((await heard(ben, 'message')).text).to.equal('Ana sent you a message');
      expect(await MessageNoticeCheck.exists({ _id: conversationId })).to.equal(null);
      await runDueMessageNoticeChecks(later);
      expect(await ofType(ben, 'message')).to.have.length(1);
    } finally {
      startMessageNoticeChecks();
    }
  });

  it('holds a message check while presence cannot tell who is online (Redis away), and makes it once it can', async function () {
    if (!hasRedisServer()) this.skip();
    const { ana, ben, conversationId } = await anaAndBenInAGroup();
    stopMessageNoticeChecks();
    // Presence on a Redis of the test's own, which goes away.
    const cache = await PrivateRedis.start();
    const client = await connectRedis(cache.url);
    const before = usePresenceStore(new RedisPresenceStore(client, 'p:'));
    try {
      await sendAndAwaitCheck(ana, conversationId, 'are you there?');
      await cache.kill();

      // Due, but nobody can be told apart from online: the check waits (it was dropped before).
      const grace = config.notifications.messageGraceMs;
      expect(await runDueMessageNoticeChecks(new Date(Date.now() + grace + 1000))).to.be.at.least(1);
      expect(await ofType(ben, 'message')).to.deep.equal([]);
      const held = await MessageNoticeCheck.findById(conversationId, { dueAt: 1, claimedUntil: 1 }).lean();
      expect(held?.claimedUntil, 'the check is free for the next run').to.equal(null);
      expect(held!.dueAt.getTime(), 'due again later').to.be.greaterThan(Date.now());

      // Presence tells again: the next run makes it, once.
      usePresenceStore(before);
      const later = new Date(Date.now() + 2 * grace + 2000);
      await runDueMessageNoticeChecks(later);
      expect((await heard(ben, 'message')).text).to.equal('Ana sent you a message');
      expect(await MessageNoticeCheck.exists({ _id: conversationId })).to.equal(null);
      await runDueMessageNoticeChecks(later);
      expect(await ofType(ben, 'message')).to.have.length(1);
    } finally {
      usePresenceStore(before);
      startMessageNoticeChecks();
      await cache.stop();
      await closeRedis(client);
    }
  });

  it('tells nobody outside the member list, even with a member record a removal left behind', async () => {
    const [ana, ben, cara] = await Promise.all([signupUser({ firstName: 'Ana' }), signupUser(), signupUser()]);
    await Promise.all([connect(ben, ana), connect(cara, ana)]);
    const group = await (
      await api()
    )
      .post(CONVERSATIONS)
      .set(as(ana))
      .send({ name: 'three', memberIds: [ben.id, cara.id] });
    const conversationId: string = group.body.conversation.id;
    await (await api()).delete(`${CONVERSATIONS}/${conversationId}/members/${cara.id}`).set(as(ana)).expect(204);
    // The removal's second write failed (a crash between the two): cara's record is back.
    await ConversationMember.create({ conversationId, userId: cara.id, role: 'member' });
    stopMessageNoticeChecks();
    try {
      await sendAndAwaitCheck(ana, conversationId, 'just us two now');
      await runDueMessageNoticeChecks(new Date(Date.now() + config.notifications.messageGraceMs + 1000));
      expect((await heard(ben, 'message')).text).to.equal('Ana sent you a message');
      expect(await ofType(cara, 'message')).to.deep.equal([]);
    } finally {
      startMessageNoticeChecks();
    }
  });

  it("tells an author of a moderator's decision on their post, and the reporter of the outcome, never who reported", async () => {
    const [author, reporter, mod] = await Promise.all([signupUser(), trustedUser(), staffUser('moderator')]);
    const post = await readyPost(author);
    await (
      await api()
    )
      .post('/api/v1/reports')
      .set(as(reporter))
      .send({ targetType: 'post', targetId: post.id, reason: 'spam' })
      .expect(201);
    await (await api()).patch(`/api/v1/admin/content/posts/${post.id}`).set(as(mod)).send({ action: 'remove' }).expect(204);
    const removed = await heard(author, 'moderation');
    expect(removed).to.deep.include({
      text: 'A moderator removed your post',
      target: { kind: 'post', id: post.id },
      actor: null,
    });
    expect(JSON.stringify(await noticesOf(author))).to.not.include(reporter.id);
    expect((await heard(reporter, 'moderation')).text).to.equal('Thank you: the post you reported was removed');

    // A repeated removal (a double click) is no new decision: told once.
    await (await api()).patch(`/api/v1/admin/content/posts/${post.id}`).set(as(mod)).send({ action: 'remove' }).expect(204);
    await (await api()).patch(`/api/v1/admin/content/posts/${post.id}`).set(as(mod)).send({ action: 'restore' }).expect(204);
    await eventually(
      async () => (await ofType(author, 'moderation')).some((n) => n.text === 'A moderator restored your post'),
      3000,
      'the restore',
    );
    expect((await ofType(author, 'moderation')).filter((n) => n.text === 'A moderator removed your post')).to.have.length(1);
    // The report was closed by the removal: the restore tells the reporter nothing more.
    expect(await ofType(reporter, 'moderation')).to.have.length(1);
  });

  it('needs a session', async () => {
    for (const path of [N, `${N}/unread-count`, `${N}/preferences`]) expect((await (await api()).get(path)).status).to.equal(401);
  });
});
