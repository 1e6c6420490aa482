import { expect } from 'chai';
import { sendNotificationDigests } from '../services/notifications/email-digest.js';
import { api } from './support/app.js';
import { mailsTo, waitForMail } from './support/mail.js';
import { heard, NOTIFICATIONS } from './support/notifications.js';
import { POSTS, readyPost } from './support/posts.js';
import { bearer, signupUser, staffUser, trustedUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const prefer = async (u: SignedUp, body: object) => {
  const res = await (await api()).patch(`${NOTIFICATIONS}/preferences`).set(as(u)).send(body);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body as { preferences: Record<string, { inApp: string; push: string; email: string }> };
};
const like = async (u: SignedUp, postId: string) => (await api()).post(`${POSTS}/${postId}/like`).set(as(u)).expect(200);
const comment = async (u: SignedUp, postId: string) =>
  (await api()).post(`${POSTS}/${postId}/comments`).set(as(u)).send({ text: 'nice' }).expect(201);

/** The coming Monday (after today), 09:00 UTC: a weekly summary day within a week of now. */
function comingMonday(): Date {
  const d = new Date();
  d.setUTCHours(9, 0, 0, 0);
  do d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() !== 1);
  return d;
}

describe('notification email', () => {
  it('emails what a person chose at once, sums up daily and weekly choices once per period, and nothing else', async () => {
    const [author, fan, critic, friend] = await Promise.all([
      trustedUser({ firstName: 'Ada' }),
      signupUser({ firstName: 'Fan' }),
      signupUser({ firstName: 'Cy' }),
      signupUser({ firstName: 'Dee' }),
    ]);
    const defaults = await (await api()).get(`${NOTIFICATIONS}/preferences`).set(as(author));
    expect(defaults.body.preferences.like).to.deep.equal({ inApp: 'immediate', push: 'immediate', email: 'off' });
    expect(defaults.body.preferences.payment_failed.email).to.equal('immediate');
    const chosen = await prefer(author, {
      like: { email: 'immediate' },
      comment: { email: 'daily' },
      share: { email: 'weekly' },
    });
    expect(chosen.preferences.comment).to.deep.equal({ inApp: 'immediate', push: 'immediate', email: 'daily' });
    for (const bad of [{ like: { email: 'hourly' } }, { like: { push: 'daily' } }, { like: { email: { $ne: 'off' } } }]) {
      expect(
        (await (await api()).patch(`${NOTIFICATIONS}/preferences`).set(as(author)).send(bad)).status,
        JSON.stringify(bad),
      ).to.equal(400);
    }

    const post = await readyPost(author);
    await like(fan, post.id);
    const liked = await waitForMail(author.input.email, /liked your post/);
    expect(liked.subject).to.equal('Fan liked your post');
    expect(liked.body.text).to.include('Fan liked your post');
    expect(liked.body.html).to.include('<p>Fan liked your post</p>');

    await comment(critic, post.id);
    await comment(friend, post.id);
    await (await api()).post(`${POSTS}/${post.id}/shares`).set(as(fan)).send({ to: 'feed' }).expect(201);
    await heard(author, 'share');
    // Daily and weekly choices are not mailed at once.
    const notices = (await mailsTo(author.input.email)).filter((m) => !/Confirm your email/.test(m.subject));
    expect(notices.map((m) => m.subject)).to.deep.equal(['Fan liked your post']);

    // The daily summary: once, however often the job runs (on a Monday the weekly one goes too).
    const today = new Date();
    expect(await sendNotificationDigests(today)).to.be.at.least(1);
    await sendNotificationDigests(today);
    const daily = await waitForMail(author.input.email, /daily summary/);
    expect(daily.subject).to.equal('Your daily summary: 1 new');
    expect(daily.body.text).to.include('Dee and 1 other commented on your post');
    expect((await mailsTo(author.input.email)).filter((m) => /daily summary/.test(m.subject))).to.have.length(1);

    // The weekly one on Monday, with the share.
    await sendNotificationDigests(comingMonday());
    const weekly = await waitForMail(author.input.email, /weekly summary/);
    expect(weekly.body.text).to.include('Fan shared your post');
    expect(weekly.body.html).to.include('<li>Fan shared your post</li>');
  });

  it('sends nothing while the account-wide email switch is off, nor to an address never proven', async () => {
    const [author, unproven, watcher, fan] = await Promise.all([
      trustedUser(),
      signupUser(),
      trustedUser(),
      signupUser({ firstName: 'Fan' }),
    ]);
    for (const u of [author, unproven, watcher]) await prefer(u, { like: { email: 'immediate' } });
    await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(author))
      .send({ settings: { notifications: { email: false } } })
      .expect(200);
    const [mine, unprovens, theirs] = [await readyPost(author), await readyPost(unproven), await readyPost(watcher)];
    await like(fan, mine.id);
    await like(fan, unprovens.id);
    await heard(author, 'like');
    await heard(unproven, 'like');
    // The same kind of notice to someone with email on, after it: its mail proves the first was decided.
    await like(fan, theirs.id);
    await waitForMail(watcher.input.email, /liked your post/);
    for (const u of [author, unproven])
      expect((await mailsTo(u.input.email)).filter((m) => /liked/.test(m.subject))).to.deep.equal([]);
  });

  it('sends no summary to a banned account', async () => {
    const [banned, watcher, critic, admin] = await Promise.all([trustedUser(), trustedUser(), signupUser(), staffUser('admin')]);
    for (const u of [banned, watcher]) await prefer(u, { comment: { email: 'daily' } });
    for (const u of [banned, watcher]) {
      await comment(critic, (await readyPost(u)).id);
      await heard(u, 'comment');
    }
    await (await api()).patch(`/api/v1/admin/users/${banned.id}/ban`).set(as(admin)).send({ banned: true }).expect(200);
    await sendNotificationDigests(new Date());
    // The watcher's summary proves the job went past both.
    await waitForMail(watcher.input.email, /daily summary/);
    expect((await mailsTo(banned.input.email)).filter((m) => /summary/.test(m.subject))).to.deep.equal([]);
  });
});
