import { expect } from 'chai';
import { ChatAttachment } from '../models/chat-attachment.model.js';
import { Comment } from '../models/comment.model.js';
import { Conversation, ConversationMember } from '../models/conversation.model.js';
import { Post } from '../models/post.model.js';
import { Session } from '../models/session.model.js';
import { User } from '../models/user.model.js';
import { config } from '../config/index.js';
import { runCleanup } from '../jobs/cleanup.job.js';
import { createStorageProvider } from '../services/storage/storage.service.js';
import { remindExpiring } from '../services/payments/membership.service.js';
import { resumeDeletionsFromBefore } from '../services/people/account-deletion.service.js';
import { Message } from '../models/message.model.js';
import { api, freshIp } from './support/app.js';
import { mailsTo, tokenFrom, waitForMail } from './support/mail.js';
import { payFor } from './support/payments.js';
import { expectDocumented } from './support/openapi.js';
import { CONV, group, readyAttachment, send, storedLocally } from './support/chat-media.js';
import { jpeg } from './support/images.js';
import { mediaKeyOf, openMedia, POSTS, readyPost } from './support/posts.js';
import { connect } from './support/connections.js';
import { bearer, newSignup, signupUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);

describe('account deletion', function () {
  this.timeout(60_000);

  it('needs a recent sign-in in this session', async () => {
    const u = await signupUser();
    await Session.updateMany({ userId: u.id }, { $set: { authenticatedAt: new Date(Date.now() - 86_400_000) } });
    const res = await (await api()).delete('/api/v1/users/me').set(as(u));
    expect(res.status).to.equal(403);
    expect(res.body.error.code).to.equal('REAUTHENTICATION_REQUIRED');
    expect((await User.findById(u.id).lean())?.deletedAt).to.equal(undefined);
  });

  it("takes the sender's chat attachments, posts and profile with it, and ends every session", async () => {
    const { ana, ben, conversationId } = await group();
    const ready = await readyAttachment(ana, conversationId, 'image', await jpeg(400, 300));
    const sent = await send(ana, conversationId, { attachmentId: ready.id, text: 'see you there' });
    expect(sent.status).to.equal(201);
    const keys = Object.values(sent.body.message.attachment.urls as Record<string, string>).map(mediaKeyOf);
    const benLink = (await (await api()).get(`${CONV}/${conversationId}/messages`).set(as(ben))).body.messages.at(-1).attachment
      .urls.full;
    expect((await openMedia(benLink)).status).to.equal(200);
    const post = await readyPost(ana);

    const search = async () =>
      (await (await api()).get('/api/v1/users/search').query({ q: ana.input.username }).set(as(ben))).body.users.map(
        (u: { id: string }) => u.id,
      );
    expect(await search(), 'found while the account lives').to.include(ana.id);

    const res = await (await api()).delete('/api/v1/users/me').set(as(ana));
    expect(res.status, JSON.stringify(res.body)).to.equal(204);

    // The attachment and everything it stored are gone; Ben's message is blank, in its place.
    for (const key of keys) expect(await storedLocally(key), key).to.equal(false);
    expect(await ChatAttachment.exists({ _id: ready.id })).to.equal(null);
    expect((await openMedia(benLink)).status).to.equal(404);
    const history = await (await api()).get(`${CONV}/${conversationId}/messages`).set(as(ben));
    const blank = history.body.messages.find((m: { id: string }) => m.id === sent.body.message.id);
    expect(blank).to.have.property('deletedAt');
    expect(blank).not.to.have.any.keys('text', 'attachment');
    expect((await (await api()).get(`${POSTS}/${post.id}`).set(as(ben))).status).to.equal(404);

    // Nothing signs in to it, and nothing of the person is left to find.
    expect((await (await api()).get('/api/v1/users/me').set(as(ana))).status).to.equal(401);
    for (const identifier of [ana.input.email, ana.input.username]) {
      const login = await (await api()).post('/api/v1/auth/login').send({ identifier, password: ana.input.password });
      expect(login.status, identifier).to.equal(401);
    }
    const shell = await User.findById(ana.id).lean();
    expect(shell).to.include({ firstName: 'Deleted', emailVerified: false });
    expect(shell?.email).not.to.equal(ana.input.email);
    expect(shell).not.to.have.any.keys('phone', 'avatar', 'location');
    expect(await search()).not.to.include(ana.id);
    // The email is free for a new account.
    expect((await signupUser({ email: ana.input.email })).id).not.to.equal(ana.id);
  });

  it('no one can hold the name or address a deleted account is given, and so stop the deletion', async () => {
    const victim = await signupUser();
    // What deletion used to write, taken first by someone else (every id is public).
    const squats = [{ username: `deleted${victim.id.slice(-16)}` }, { email: `deleted-${victim.id}@deleted.invalid` }];
    for (const squat of squats) await signupUser(squat);
    const res = await (await api()).delete('/api/v1/users/me').set(as(victim));
    expect(res.status, JSON.stringify(res.body)).to.equal(204);
    const shell = await User.findById(victim.id, { deletedAt: 1, email: 1, username: 1 }).lean();
    expect(shell?.deletedAt).to.be.an.instanceOf(Date);
    // And what it writes now, signup refuses.
    for (const field of ['username', 'email'] as const) {
      const taken = await (
        await api()
      )
        .post('/api/v1/auth/signup')
        .set('X-Forwarded-For', freshIp())
        .send(newSignup({ [field]: shell![field] }));
      expect([taken.status, taken.body.error?.code], field).to.deep.equal([400, 'VALIDATION_FAILED']);
    }
  });

  it('a deletion cut short once the account was marked is finished by the clean-up job', async () => {
    const { ana, ben, conversationId } = await group();
    const sent = await send(ana, conversationId, { text: 'gone soon' });
    expect(sent.status).to.equal(201);
    const post = await readyPost(ana);
    // The process died right after the mark (a deploy, a database error): nothing else ran.
    // The mark, as deletion writes it: banned, pending, and the conversations to leave.
    const marked = new Date(Date.now() - 11 * 60_000);
    const rows = await ConversationMember.find({ userId: ana.id }, { conversationId: 1 }).lean();
    await User.updateOne(
      { _id: ana.id },
      {
        $set: {
          deletedAt: marked,
          bannedAt: marked,
          deletionPending: true,
          deletionConversations: rows.map((r) => r.conversationId),
        },
      },
    );
    const storage = createStorageProvider(config.storage);
    const message = async () =>
      (await (await api()).get(`${CONV}/${conversationId}/messages`).set(as(ben))).body.messages.find(
        (m: { id: string }) => m.id === sent.body.message.id,
      );
    await runCleanup(new Date(Date.now() - 60 * 60_000), storage);
    expect((await message()).text, 'too soon: the request may still be at it').to.equal('gone soon');

    await runCleanup(new Date(), storage);
    expect(await message()).to.have.property('deletedAt');
    expect(await message()).not.to.have.any.keys('text');
    expect(await Post.exists({ _id: post.id })).to.equal(null);
    expect((await Conversation.findById(conversationId, { memberIds: 1 }).lean())!.memberIds.map(String)).to.deep.equal([ben.id]);
    const done = await User.findById(ana.id, { deletionDoneAt: 1, deletionPending: 1 }).lean();
    expect([done?.deletionDoneAt, done?.deletionPending], 'finished once, not every run').to.deep.equal([
      done?.deletionDoneAt,
      undefined,
    ]);
    expect(done?.deletionDoneAt).to.be.an.instanceOf(Date);
    // And Ben, the group's only member left, runs it now.
    const admins = await ConversationMember.find({ conversationId, role: 'admin' }, { userId: 1 }).lean();
    expect(admins.map((a) => String(a.userId))).to.deep.equal([ben.id]);
  });

  it('a photo upload in flight when the account is deleted puts nothing back on it', async () => {
    const u = await signupUser();
    const big = await jpeg(3000, 2000);
    const upload = (await api()).post('/api/v1/users/me/photos?target=avatar').set(as(u)).attach('photo', big, 'me.jpg');
    const uploading = upload.then((r) => r);
    // The upload is read, decoded and resized before it is attached: the deletion lands first.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await (await api()).delete('/api/v1/users/me').set(as(u))).status).to.equal(204);
    const uploaded = await uploading;
    expect(uploaded.status, JSON.stringify(uploaded.body)).to.not.equal(201);
    const shell = await User.findById(u.id, { avatar: 1, gallery: 1 }).lean();
    expect([shell?.avatar, shell?.gallery]).to.deep.equal([undefined, []]);
  });

  it('voids the links already mailed, and mails the account nothing more', async () => {
    const u = await signupUser();
    await payFor(u, 'gold');
    const auth = async (path: string, body: object) =>
      (await api()).post(`/api/v1/auth${path}`).set('X-Forwarded-For', freshIp()).send(body);
    expect((await auth('/forgot-password', { email: u.input.email })).status).to.equal(202);
    const reset = tokenFrom(await waitForMail(u.input.email, /Reset your password/));
    expect((await (await api()).delete('/api/v1/users/me').set(as(u))).status).to.equal(204);

    const used = await auth('/reset-password', { token: reset, password: 'after deletion 123' });
    expect([used.status, used.body.error?.code]).to.deep.equal([400, 'INVALID_LINK']);
    expect((await User.findById(u.id, { passwordHash: 1 }).lean())?.passwordHash).to.equal(undefined);
    // The plan's reminder, due two days before its end: the job awaits each mail it sends.
    const shell = (await User.findById(u.id, { email: 1, planExpiresAt: 1 }).lean())!;
    await remindExpiring(new Date(shell.planExpiresAt!.getTime() - 2 * 86_400_000));
    for (const address of [u.input.email, shell.email])
      expect(
        (await mailsTo(address)).filter((m) => /ends soon/.test(m.subject)),
        address,
      ).to.deep.equal([]);
  });

  it('an account deleted before deletions resumed is taken out of its groups and finished by the migration and the job', async () => {
    const { ana, ben, conversationId } = await group();
    const sent = await send(ana, conversationId, { text: 'from before' });
    // What the old scrub left when cut short: marked, its member rows gone, still on the group's list.
    const marked = new Date(Date.now() - 60 * 60_000);
    await User.updateOne({ _id: ana.id }, { $set: { deletedAt: marked, bannedAt: marked } });
    await ConversationMember.deleteMany({ userId: ana.id });
    await resumeDeletionsFromBefore();
    expect((await Conversation.findById(conversationId, { memberIds: 1 }).lean())!.memberIds.map(String)).to.deep.equal([ben.id]);
    const admins = await ConversationMember.find({ conversationId, role: 'admin' }, { userId: 1 }).lean();
    expect(admins.map((a) => String(a.userId))).to.deep.equal([ben.id]);
    await runCleanup(new Date(), createStorageProvider(config.storage));
    expect((await Message.findById(sent.body.message.id).lean())?.text).to.equal(undefined);
  });

  it('no one adds a suspended or deleted person to a group, connected or not', async () => {
    const { ana, carl, conversationId } = await group();
    await connect(ana, carl);
    const add = async () => (await api()).post(`${CONV}/${conversationId}/members`).set(as(ana)).send({ userId: carl.id });
    await User.updateOne({ _id: carl.id }, { $set: { suspendedUntil: new Date(Date.now() + 3_600_000) } });
    const refused = await add();
    expect([refused.status, refused.body.error?.code]).to.deep.equal([403, 'NOT_CONNECTED']);
    await User.updateOne({ _id: carl.id }, { $set: { suspendedUntil: new Date(Date.now() - 1000) } });
    expect((await add()).status, 'once the suspension is over').to.be.oneOf([200, 201, 204]);
  });

  it('leaves every group it was in: a sole admin hands the group over, and no list names it', async () => {
    const { ana, ben, carl, conversationId } = await group();
    await connect(ben, carl);
    expect((await (await api()).delete('/api/v1/users/me').set(as(ana))).status).to.equal(204);
    const members = (await Conversation.findById(conversationId, { memberIds: 1 }).lean())!.memberIds.map(String);
    expect(members).to.deep.equal([ben.id]);
    // Ben runs the group now: he can add someone, which only an admin may.
    const added = await (await api()).post(`${CONV}/${conversationId}/members`).set(as(ben)).send({ userId: carl.id });
    expect(added.status, JSON.stringify(added.body)).to.be.oneOf([200, 201, 204]);
  });

  it('takes their comments with it: blank, uncounted, their images gone; the replies under them stay', async () => {
    const [ana, ben] = await Promise.all([signupUser(), signupUser()]);
    const post = await readyPost(ben);
    const comment = async (
      by: SignedUp,
      text: string,
      extra: (r: ReturnType<Awaited<ReturnType<typeof api>>['post']>) => unknown = () => {},
    ) => {
      const req = (await api()).post(`${POSTS}/${post.id}/comments`).set(as(by)).field('text', text);
      extra(req);
      const res = await req;
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body.comment as { id: string; image?: { urls: Record<string, string> } };
    };
    const image = await jpeg(200, 200);
    const pictured = await comment(ana, `look @${ben.input.username}`, (r) => r.attach('image', image, 'a.jpg'));
    const answered = await comment(ana, 'my address is 1 High St');
    await comment(ben, 'thanks', (r) => r.field('parentId', answered.id));
    const imageLinks = Object.values(pictured.image!.urls);
    for (const link of imageLinks) expect((await openMedia(link)).status, link).to.equal(200);
    expect((await Post.findById(post.id, { counters: 1 }).lean())!.counters!.comments).to.equal(3);

    expect((await (await api()).delete('/api/v1/users/me').set(as(ana))).status).to.equal(204);

    const stored = await Comment.find({ authorId: ana.id }).lean();
    expect(stored).to.have.length(2);
    for (const c of stored) {
      expect(c.deletedAt, 'marked removed').to.be.an.instanceOf(Date);
      expect(c.text).to.equal('');
      expect(c.mentions).to.deep.equal([]);
      expect(c).not.to.have.property('image');
    }
    for (const link of imageLinks) expect((await openMedia(link)).status, link).to.equal(404);
    for (const key of imageLinks.map(mediaKeyOf)) expect(await storedLocally(key), key).to.equal(false);
    expect((await Post.findById(post.id, { counters: 1 }).lean())!.counters!.comments).to.equal(1);
    const listed = await (await api()).get(`${POSTS}/${post.id}/comments`).set(as(ben));
    expectDocumented(listed, 'get', `${POSTS}/{id}/comments`);
    const shown = listed.body.items as {
      id: string;
      text: string;
      deleted: boolean;
    }[];
    expect(
      shown.map((c) => c.id),
      'the answered one keeps its place, removed',
    ).to.deep.equal([answered.id]);
    expect(shown[0]).to.include({ text: '', deleted: true, author: null });
    // One removed before removals blanked their mentions still names nobody.
    await Comment.updateOne({ _id: answered.id }, { $set: { mentions: [ben.id] } });
    const again = await (await api()).get(`${POSTS}/${post.id}/comments`).set(as(ben));
    expect(again.body.items[0]).to.deep.include({ mentions: [], image: null });
  });
});
