import { expect } from 'chai';
import { Comment } from '../models/comment.model.js';
import { Post } from '../models/post.model.js';
import { Report } from '../models/report.model.js';
import { repairPostCounters } from '../services/posts/counters.js';
import { User } from '../models/user.model.js';
import { api } from './support/app.js';
import { expectDocumented } from './support/openapi.js';
import { POSTS, readyPost } from './support/posts.js';
import { bearer, signupUser, staffUser, type SignedUp } from './support/users.js';

/** A user given a role in the database, signed in again so the token carries it. */
const as = (u: SignedUp) => bearer(u.accessToken);

describe('moderation: badges, bans and the report queue', () => {
  it('only admins set the verification badge; it shows on the public profile', async () => {
    const [admin, mod, target, viewer] = await Promise.all([
      staffUser('admin'),
      staffUser('moderator'),
      signupUser(),
      signupUser(),
    ]);
    const path = `/api/v1/admin/users/${target.id}/badge`;
    expect((await (await api()).patch(path).set(as(mod)).send({ verifiedBadge: true })).status).to.equal(403);
    expect((await (await api()).patch(path).set(as(target)).send({ verifiedBadge: true })).status).to.equal(403);
    expect((await (await api()).patch(path).set(as(admin)).send({ verifiedBadge: 'yes' })).status).to.equal(400);
    const res = await (await api()).patch(path).set(as(admin)).send({ verifiedBadge: true });
    expect(res.status).to.equal(200);
    expectDocumented(res, 'patch', '/api/v1/admin/users/{userId}/badge');
    expect(res.body.user.verifiedBadge).to.equal(true);
    const profile = await (await api()).get(`/api/v1/users/${target.input.username}`).set(as(viewer));
    expect(profile.body.profile.verifiedBadge).to.equal(true);
  });

  it('a ban (admins only) ends sessions, hides the profile and refuses login; moderators suspend no staff', async () => {
    const [admin, mod, otherMod, target, viewer] = await Promise.all([
      staffUser('admin'),
      staffUser('moderator'),
      staffUser('moderator'),
      signupUser(),
      signupUser(),
    ]);
    const byMod = await (await api()).patch(`/api/v1/admin/users/${target.id}/ban`).set(as(mod)).send({ banned: true });
    expect([byMod.status, byMod.body.error.code]).to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    const ban = await (await api()).patch(`/api/v1/admin/users/${target.id}/ban`).set(as(admin)).send({ banned: true });
    expect(ban.status).to.equal(200);
    expectDocumented(ban, 'patch', '/api/v1/admin/users/{userId}/ban');
    const refresh = await (await api()).post('/api/v1/auth/refresh').send({ refreshToken: target.refreshToken });
    expect(refresh.status).to.equal(401);
    const login = await (
      await api()
    )
      .post('/api/v1/auth/login')
      .send({ identifier: target.input.email, password: target.input.password });
    expect([login.status, login.body.error.code]).to.deep.equal([403, 'ACCOUNT_BANNED']);
    expect((await (await api()).get(`/api/v1/users/${target.input.username}`).set(as(viewer))).status).to.equal(404);

    const staffSuspension = await (
      await api()
    )
      .put(`/api/v1/admin/users/${otherMod.id}/suspension`)
      .set(as(mod))
      .send({ until: new Date(Date.now() + 86_400_000).toISOString(), reason: 'test' });
    expect([staffSuspension.status, staffSuspension.body.error.code]).to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    expect((await User.findById(otherMod.id).lean())?.suspendedUntil).to.equal(undefined);

    const lift = await (await api()).patch(`/api/v1/admin/users/${target.id}/ban`).set(as(admin)).send({ banned: false });
    expect(lift.status).to.equal(200);
    expect((await (await api()).get(`/api/v1/users/${target.input.username}`).set(as(viewer))).status).to.equal(200);
  });

  it("a restore that closes reports is on the record; a moderator undoes no admin's removal", async () => {
    const [admin, mod, author, reporter, reader] = await Promise.all([
      staffUser('admin'),
      staffUser('moderator'),
      signupUser(),
      signupUser(),
      signupUser(),
    ]);
    const a = await api();
    const post = await readyPost(author);
    const content = (path: string) => `/api/v1/admin/content/${path}`;
    const decide = (who: SignedUp, action: string, target = `posts/${post.id}`) =>
      a.patch(content(target)).set(as(who)).send({ action });
    const trailOf = async (id: string) =>
      (await a.get('/api/v1/admin/audit').set(as(admin)).query({ targetId: id })).body.records as {
        action: string;
        actorId: string;
        before: object;
        after: object;
        detail: object;
      }[];
    // A post in plain view with a report: "restoring" it changes nothing on it, yet closes the report.
    await a.post('/api/v1/reports').set(as(reporter)).send({ targetType: 'post', targetId: post.id, reason: 'spam' }).expect(201);
    await decide(mod, 'restore').expect(204);
    expect(await Report.countDocuments({ targetId: post.id, status: 'open' })).to.equal(0);
    expect(await trailOf(post.id)).to.have.length(1);
    expect((await trailOf(post.id))[0]).to.deep.include({
      action: 'moderation.post_restored',
      actorId: mod.id,
      before: { visible: true },
      after: { visible: true },
      detail: { casesDecided: 1, reportsClosed: 1 },
    });
    // A double click with nothing left to close writes nothing more.
    await decide(mod, 'restore').expect(204);
    expect(await trailOf(post.id)).to.have.length(1);

    // An admin removes it: a moderator neither restores it nor takes the removal over to restore it later.
    await decide(admin, 'remove').expect(204);
    for (const action of ['restore', 'remove', 'restore']) {
      const res = await decide(mod, action);
      // A removal over it changes nothing (204); a restore is refused.
      const expected = action === 'restore' ? [403, 'INSUFFICIENT_ROLE'] : [204, undefined];
      expect([res.status, res.body.error?.code], action).to.deep.equal(expected);
    }
    expect((await a.get(`${POSTS}/${post.id}`).set(as(reader))).status).to.equal(404);
    await decide(admin, 'restore').expect(204);
    expect((await a.get(`${POSTS}/${post.id}`).set(as(reader))).status).to.equal(200);

    // A moderator undoes their own removal; one from before roles were recorded is an admin's.
    await decide(mod, 'remove').expect(204);
    await decide(mod, 'restore').expect(204);
    await Post.updateOne({ _id: post.id }, { $set: { hiddenAt: new Date(), hiddenReason: 'removed_by_moderator' } });
    const older = await decide(mod, 'restore');
    expect([older.status, older.body.error?.code]).to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    // Nor does a moderator's removal take over an older hiding by staff, to restore it after.
    await Post.updateOne({ _id: post.id }, { $set: { hiddenReason: 'hidden_by_moderator' } });
    await decide(mod, 'remove').expect(204);
    const takenOver = await decide(mod, 'restore');
    expect([takenOver.status, takenOver.body.error?.code]).to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    await decide(admin, 'restore').expect(204);

    // The same for a comment (whose removal was not even stored as one before).
    const comment = await a.post(`${POSTS}/${post.id}/comments`).set(as(reader)).send({ text: 'hm' });
    const commentId: string = comment.body.comment.id;
    await decide(admin, 'remove', `comments/${commentId}`).expect(204);
    expect((await Comment.findById(commentId).lean())?.hiddenReason).to.equal('removed_by_moderator');
    const undo = await decide(mod, 'restore', `comments/${commentId}`);
    expect([undo.status, undo.body.error?.code]).to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    expect((await Comment.findById(commentId).lean())?.hiddenAt).to.be.instanceOf(Date);
  });

  it("a hidden comment leaves its post's and its parent's counts and is counted again when restored; a removal meanwhile counts once", async () => {
    const [admin, author, ann, bob] = await Promise.all([staffUser('admin'), signupUser(), signupUser(), signupUser()]);
    const a = await api();
    const post = await readyPost(author);
    const say = async (who: SignedUp, text: string, parentId?: string) =>
      (await a.post(`${POSTS}/${post.id}/comments`).set(as(who)).send({ text, parentId }).expect(201)).body.comment.id as string;
    const top = await say(ann, 'top');
    const reply = await say(bob, 'reply', top);
    const deeper = await say(ann, 'deeper', reply);
    const moderate = (id: string, action: 'remove' | 'restore') =>
      a.patch(`/api/v1/admin/content/comments/${id}`).set(as(admin)).send({ action }).expect(204);
    // The post's comments, and the replies stored on the top comment and on the reply.
    const counts = async () => [
      (await Post.findById(post.id, { counters: 1 }).lean())!.counters!.comments,
      ...(await Promise.all([top, reply].map(async (id) => (await Comment.findById(id).lean())!.replies))),
    ];
    const shownUnder = async (parentId: string) =>
      (
        (await a.get(`${POSTS}/${post.id}/comments`).query({ parentId }).set(as(author))).body.items as {
          id: string;
          deleted: boolean;
        }[]
      ).map((c) => `${c.id}${c.deleted ? ' (removed)' : ''}`);
    expect(await counts()).to.deep.equal([3, 1, 1]);

    // Removed by staff (twice: a double click), the reply is out of the post's count and its parent's.
    await moderate(reply, 'remove');
    await moderate(reply, 'remove');
    expect(await counts()).to.deep.equal([2, 0, 1]);
    expect(await shownUnder(top)).to.deep.equal([]);
    // It takes no replies while hidden.
    const under = await a.post(`${POSTS}/${post.id}/comments`).set(as(ann)).send({ text: 'hello?', parentId: reply });
    expect([under.status, under.body.error?.code]).to.deep.equal([404, 'NOT_FOUND']);
    // Its author takes it back meanwhile: it was uncounted already, so nothing is uncounted twice.
    await a.delete(`${POSTS}/comments/${reply}`).set(as(bob)).expect(204);
    expect(await counts()).to.deep.equal([2, 0, 1]);
    // Restored, it stands as a placeholder for the reply under it: counted under its parent, not as a comment.
    await moderate(reply, 'restore');
    expect(await counts()).to.deep.equal([2, 1, 1]);
    expect(await shownUnder(top)).to.deep.equal([`${reply} (removed)`]);

    // Hiding the last reply under that placeholder leaves nothing to show there: up the thread, nothing counts it.
    await moderate(deeper, 'remove');
    expect(await counts()).to.deep.equal([1, 0, 0]);
    expect(await shownUnder(top)).to.deep.equal([]);
    // The repair job counts as the live code does.
    await repairPostCounters(new Date(Date.now() - 86_400_000));
    expect(await counts()).to.deep.equal([1, 0, 0]);
    await moderate(deeper, 'restore');
    expect(await counts()).to.deep.equal([2, 1, 1]);
    expect(await shownUnder(reply)).to.deep.equal([deeper]);
    await repairPostCounters(new Date(Date.now() - 86_400_000));
    expect(await counts()).to.deep.equal([2, 1, 1]);

    // A removal under a hidden placeholder stops there: its hiding took it out of its parent's count already.
    const other = await say(author, 'other', top);
    await moderate(reply, 'remove');
    expect(await counts()).to.deep.equal([3, 1, 1]);
    await a.delete(`${POSTS}/comments/${deeper}`).set(as(ann)).expect(204);
    expect(await counts()).to.deep.equal([2, 1, 0]);
    // One hidden by the release before is still counted: its removal uncounts it, and its restore counts nothing back.
    const legacy = await say(bob, 'old', top);
    await Comment.updateOne({ _id: legacy }, { $set: { hiddenAt: new Date(), hiddenReason: 'hidden_by_moderator' } });
    await a.delete(`${POSTS}/comments/${legacy}`).set(as(bob)).expect(204);
    expect(await counts()).to.deep.equal([2, 1, 0]);
    await moderate(legacy, 'restore');
    expect(await counts()).to.deep.equal([2, 1, 0]);
    expect(await shownUnder(top)).to.deep.equal([other]);
    await repairPostCounters(new Date(Date.now() - 86_400_000));
    expect(await counts()).to.deep.equal([2, 1, 0]);
  });

  it('moderators page through open reports and close each once', async () => {
    const [mod, reporter, target] = await Promise.all([staffUser('moderator'), signupUser(), signupUser()]);
    const filed = await (
      await api()
    )
      .post('/api/v1/reports')
      .set(as(reporter))
      .send({ targetType: 'user', targetId: target.id, reason: 'spam', note: 'sells things' });
    expect(filed.status).to.equal(201);
    const reportId: string = filed.body.report.id;

    const seen: { id: string; reporterId: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { reports: typeof seen; nextCursor: string | null } } = await (
        await api()
      )
        .get('/api/v1/admin/reports')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(as(mod));
      expect(page.status).to.equal(200);
      expectDocumented(page, 'get', '/api/v1/admin/reports');
      seen.push(...page.body.reports);
      cursor = page.body.nextCursor;
    } while (cursor && !seen.some((r) => r.id === reportId));
    // Who reported is for admins: a moderator could tell the reported person.
    expect(seen.find((r) => r.id === reportId)).to.not.have.property('reporterId');
    expect(seen.some((r) => 'reporterId' in r)).to.equal(false);
    const admin = await staffUser('admin');
    const forAdmin = await (await api()).get('/api/v1/admin/reports').query({ limit: 100 }).set(as(admin));
    expectDocumented(forAdmin, 'get', '/api/v1/admin/reports');
    expect(forAdmin.body.reports.find((r: { id: string }) => r.id === reportId)?.reporterId).to.equal(reporter.id);

    const close = await (await api()).patch(`/api/v1/admin/reports/${reportId}`).set(as(mod)).send({ status: 'dismissed' });
    expect(close.status).to.equal(204);
    const again = await (await api()).patch(`/api/v1/admin/reports/${reportId}`).set(as(mod)).send({ status: 'reviewed' });
    expect([again.status, again.body.error.code]).to.deep.equal([409, 'REPORT_ALREADY_CLOSED']);
    expect((await Report.findById(reportId).lean())?.status).to.equal('dismissed');
    const reopen = await (await api()).patch(`/api/v1/admin/reports/${reportId}`).set(as(mod)).send({ status: 'open' });
    expect(reopen.status).to.equal(400);
    expect((await (await api()).get('/api/v1/admin/reports').set(as(reporter))).status).to.equal(403);
    expect((await (await api()).get('/api/v1/admin/reports?status=pending').set(as(mod))).status).to.equal(400);
  });
});
