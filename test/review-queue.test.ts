import { expect } from 'chai';
import { Message } from '../models/message.model.js';
import { Report } from '../models/report.model.js';
import { api } from './support/app.js';
import { group, send } from './support/chat-media.js';
import { eventually } from './support/eventually.js';
import { ofType } from './support/notifications.js';
import { expectDocumented } from './support/openapi.js';
import { readyPost } from './support/posts.js';
import { bearer, signupUser, staffUser, trustedUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const REVIEW = '/api/v1/admin/review';
const report = async (u: SignedUp, body: object) => {
  const res = await (await api()).post('/api/v1/reports').set(as(u)).send(body);
  expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
};

type Case = { id: string; targetId: string; reporters: number; severity: number; score: number; reports: { reason: string }[] };

/** Every open case, page by page, as a moderator reads the queue. */
async function queue(mod: SignedUp, query: Record<string, string> = {}): Promise<Case[]> {
  const all: Case[] = [];
  let cursor: string | null = null;
  do {
    const res = await (
      await api()
    )
      .get(REVIEW)
      .set(as(mod))
      .query({ ...query, limit: '50', ...(cursor && { cursor }) });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expectDocumented(res, 'get', REVIEW);
    all.push(...res.body.cases);
    cursor = res.body.nextCursor;
  } while (cursor);
  return all;
}

describe('the review queue', function () {
  this.timeout(30_000);

  it('gathers the reports of each target into one case, gravest and most reported first', async () => {
    const [mod, author, spammer, r1, r2, r3] = await Promise.all([
      staffUser('moderator'),
      signupUser(),
      signupUser(),
      signupUser(),
      signupUser(),
      signupUser(),
    ]);
    const post = await readyPost(author);
    await report(r1, { targetType: 'user', targetId: spammer.id, reason: 'spam' });
    await report(r2, { targetType: 'user', targetId: spammer.id, reason: 'spam', note: 'sells things' });
    await report(r3, { targetType: 'post', targetId: post.id, reason: 'violence' });
    const cases = await queue(mod);
    const userCase = cases.find((c) => c.targetId === spammer.id)!;
    const postCase = cases.find((c) => c.targetId === post.id)!;
    expect(userCase).to.include({ reporters: 2, severity: 1 });
    expect(userCase.reports.map((r) => r.reason)).to.deep.equal(['spam', 'spam']);
    expect(JSON.stringify(userCase)).not.to.include(r1.id);
    expect(postCase).to.include({ reporters: 1, severity: 4 });
    expect(cases.indexOf(postCase), 'violence before spam').to.be.below(cases.indexOf(userCase));
    for (let i = 1; i < cases.length; i++) expect(cases[i - 1]!.score).to.be.at.least(cases[i]!.score);
    expect((await queue(mod, { targetType: 'post' })).every((c) => c.targetId !== spammer.id)).to.equal(true);
    expect((await (await api()).get(REVIEW).set(as(r1))).status).to.equal(403);
    expect((await (await api()).get(REVIEW).set(as(mod)).query({ cursor: 'x' })).status).to.equal(400);
  });

  it("weighs a fresh account's grave claim below trusted reports, and keeps the score of the last tally under a burst", async () => {
    const [mod, claimed, harasser, throwaway, trusted] = await Promise.all([
      staffUser('moderator'),
      signupUser(),
      signupUser(),
      signupUser(),
      trustedUser(),
    ]);
    // One throwaway account's "underage" against one trusted reporter's "harassment".
    await report(throwaway, { targetType: 'user', targetId: claimed.id, reason: 'underage' });
    await report(trusted, { targetType: 'user', targetId: harasser.id, reason: 'harassment' });
    let cases = await queue(mod, { targetType: 'user' });
    const weak = cases.find((c) => c.targetId === claimed.id)!;
    const strong = cases.find((c) => c.targetId === harasser.id)!;
    expect(weak, 'the reason is still shown as given').to.include({ severity: 5 });
    expect(cases.indexOf(strong), 'the trusted report first').to.be.below(cases.indexOf(weak));

    // Twelve reports at once: the stored score is the one of all twelve, not of an earlier tally.
    const target = await signupUser();
    const crowd = await Promise.all(Array.from({ length: 12 }, () => signupUser()));
    await Promise.all(crowd.map((u) => report(u, { targetType: 'user', targetId: target.id, reason: 'spam' })));
    cases = await queue(mod, { targetType: 'user' });
    const burst = cases.find((c) => c.targetId === target.id)!;
    expect(burst).to.include({ reporters: 12, score: 1 * 5 + 12 });
  });

  it('a decision closes the reports, tells the reporter and the reported person, and is recorded once', async () => {
    const [admin, mod, target, reporter] = await Promise.all([
      staffUser('admin'),
      staffUser('moderator'),
      signupUser({ firstName: 'Tom' }),
      signupUser(),
    ]);
    await report(reporter, { targetType: 'user', targetId: target.id, reason: 'harassment' });
    const found = (await queue(mod, { targetType: 'user' })).find((c) => c.targetId === target.id)!;
    const decide = async (u: SignedUp, caseId: string, body: object) =>
      (await api()).post(`${REVIEW}/${caseId}/decision`).set(as(u)).send(body);
    for (const bad of [
      { action: 'nuke', note: 'x' },
      { action: 'warn' },
      { action: ['warn'], note: 'x' },
      { action: 'suspend', note: 'x' },
    ]) {
      expect((await decide(mod, found.id, bad)).status, JSON.stringify(bad)).to.equal(400);
    }
    expect((await decide(mod, found.id, { action: 'remove', note: 'x' })).status, 'a profile is not removed').to.equal(400);
    expect((await decide(mod, found.id, { action: 'ban', note: 'x' })).status, 'moderators do not ban').to.equal(403);
    const warned = await decide(mod, found.id, { action: 'warn', note: 'first warning' });
    expect(warned.status, JSON.stringify(warned.body)).to.equal(200);
    expectDocumented(warned, 'post', `${REVIEW}/{caseId}/decision`);
    expect(warned.body.case).to.deep.include({ status: 'decided' });
    expect(warned.body.case.decision).to.deep.include({ action: 'warn', moderatorId: mod.id, note: 'first warning' });
    expect((await decide(mod, found.id, { action: 'warn', note: 'again' })).body.error.code).to.equal('CASE_DECIDED');
    expect((await Report.findOne({ reporterId: reporter.id, targetId: target.id }).lean())?.status).to.equal('reviewed');
    await eventually(async () => (await ofType(reporter, 'moderation')).length === 1, 3000, "the reporter's notice");
    expect((await ofType(reporter, 'moderation'))[0]!.text).to.equal('Thank you: a moderator acted on the profile you reported');
    expect((await ofType(target, 'moderation'))[0]!.text).to.match(/^A moderator warned you about your profile/);
    const trail = await (
      await api()
    )
      .get('/api/v1/admin/audit')
      .set(as(admin))
      .query({ action: 'moderation.case_decided', userId: target.id });
    expect(trail.body.records[0]).to.deep.include({ actorId: mod.id, after: { status: 'decided', action: 'warn' } });
    expect(trail.body.records[0].detail).to.include({ note: 'first warning' });

    // A report after the decision opens a new case; an admin bans.
    const second = await signupUser();
    await report(second, { targetType: 'user', targetId: target.id, reason: 'harassment' });
    const reopened = (await queue(mod, { targetType: 'user' })).find((c) => c.targetId === target.id)!;
    expect(reopened.id).not.to.equal(found.id);
    expect((await decide(admin, reopened.id, { action: 'ban', note: 'again and again' })).status).to.equal(200);
    const login = await (
      await api()
    )
      .post('/api/v1/auth/login')
      .send({ identifier: target.input.email, password: target.input.password });
    expect(login.body.error.code).to.equal('ACCOUNT_BANNED');
  });

  it('keeps moderators from deciding about themselves, and a removal from being undone by a stale case', async () => {
    const [mod, reporter, author] = await Promise.all([staffUser('moderator'), signupUser(), signupUser()]);
    await report(reporter, { targetType: 'user', targetId: mod.id, reason: 'harassment' });
    const own = (await queue(mod, { targetType: 'user' })).find((c) => c.targetId === mod.id)!;
    const refused = await (
      await api()
    )
      .post(`${REVIEW}/${own.id}/decision`)
      .set(as(mod))
      .send({ action: 'dismiss', note: 'not me' });
    expect([refused.status, refused.body.error.code]).to.deep.equal([403, 'INSUFFICIENT_ROLE']);
    expect(
      (await queue(mod, { targetType: 'user' })).some((c) => c.id === own.id),
      'still open',
    ).to.equal(true);

    const post = await readyPost(author);
    await report(reporter, { targetType: 'post', targetId: post.id, reason: 'spam' });
    const stale = (await queue(mod, { targetType: 'post' })).find((c) => c.targetId === post.id)!;
    await (await api()).patch(`/api/v1/admin/content/posts/${post.id}`).set(as(mod)).send({ action: 'remove' }).expect(204);
    const late = await (
      await api()
    )
      .post(`${REVIEW}/${stale.id}/decision`)
      .set(as(mod))
      .send({ action: 'dismiss', note: 'fine' });
    expect(late.body.error?.code, 'the content decision closed the case').to.equal('CASE_DECIDED');
    expect((await (await api()).get(`/api/v1/posts/${post.id}`).set(as(reporter))).status).to.equal(404);
  });

  it('removes a reported message and suspends its sender', async () => {
    const [mod] = await Promise.all([staffUser('moderator')]);
    const { ana, ben, conversationId } = await group();
    const sent = await send(ana, conversationId, { text: 'something hateful' });
    await report(ben, { targetType: 'message', targetId: sent.body.message.id, reason: 'hate' });
    const found = (await queue(mod, { targetType: 'message' })).find((c) => c.targetId === sent.body.message.id)!;
    expect(found).to.include({ severity: 4 });
    const removed = await (
      await api()
    )
      .post(`${REVIEW}/${found.id}/decision`)
      .set(as(mod))
      .send({ action: 'remove', note: 'hate speech' });
    expect(removed.status).to.equal(200);
    const blank = await Message.findById(sent.body.message.id).lean();
    expect(blank?.deletedAt).to.be.instanceOf(Date);
    expect(blank).not.to.have.property('text');
    await eventually(async () => (await ofType(ana, 'moderation')).length === 1, 3000, "the sender's notice");
    expect((await ofType(ana, 'moderation'))[0]!.text).to.equal('A moderator removed your message');

    const again = await send(ana, conversationId, { text: 'more of it' });
    await report(ben, { targetType: 'message', targetId: again.body.message.id, reason: 'hate' });
    const next = (await queue(mod, { targetType: 'message' })).find((c) => c.targetId === again.body.message.id)!;
    const until = new Date(Date.now() + 86_400_000).toISOString();
    expect(
      (
        await (
          await api()
        )
          .post(`${REVIEW}/${next.id}/decision`)
          .set(as(mod))
          .send({ action: 'suspend', note: 'cool off', until })
      ).status,
    ).to.equal(200);
    const login = await (
      await api()
    )
      .post('/api/v1/auth/login')
      .send({ identifier: ana.input.email, password: ana.input.password });
    expect([login.status, login.body.error.code]).to.deep.equal([403, 'ACCOUNT_SUSPENDED']);
  });
});
