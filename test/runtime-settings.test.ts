import { expect } from 'chai';
import supertest from 'supertest';
import { api } from './support/app.js';
import { clientId, eventually } from './support/chat.js';
import { connect } from './support/connections.js';
import { expectDocumented } from './support/openapi.js';
import { startServer, type StartedServer } from './support/process.js';
import { bearer, signupUser, staffUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const SETTINGS = '/api/v1/admin/settings';

/** Settings admins change without a deploy, seen by another server process within seconds. */
describe('runtime settings', function () {
  this.timeout(60_000);
  let other: StartedServer;
  let otherUrl: string;

  before(async () => {
    other = await startServer(
      process.env.MONGODB_URI!,
      { ENABLE_JOBS: 'false', RUNTIME_SETTINGS_POLL_MS: '200' },
      'the second server',
    );
    otherUrl = other.url;
  });
  after(async () => {
    other.child.kill('SIGTERM');
    await other.exited;
  });

  it('an admin switches plan-gated chat on: a second process refuses free members within seconds, and back', async () => {
    const [admin, mod, ana, ben] = await Promise.all([staffUser('admin'), staffUser('moderator'), signupUser(), signupUser()]);
    await connect(ana, ben);
    const group = await (
      await api()
    )
      .post('/api/v1/conversations')
      .set(as(ana))
      .send({ name: 'g', memberIds: [ben.id] });
    const sendOn = (url: string) =>
      supertest(url)
        .post(`/api/v1/conversations/${group.body.conversation.id}/messages`)
        .set(as(ana))
        .send({ clientMessageId: clientId(), text: 'hi' });
    expect((await sendOn(otherUrl)).status).to.equal(201);

    const read = await (await api()).get(SETTINGS).set(as(admin));
    expect(read.status).to.equal(200);
    expectDocumented(read, 'get', SETTINGS);
    const { version, values } = read.body.settings;
    expect(values.chatRequiresPlan).to.equal(false);
    expect((await (await api()).get(SETTINGS).set(as(mod))).status).to.equal(403);

    for (const bad of [
      { values: { postsPerDay: 0 } },
      { values: { chatRequiresPlan: 'yes' } },
      { values: { moderationTerms: 'spam' } },
      { values: { wallpaper: 'blue' } },
      { values: { postsPerDay: { $gt: 1 } } },
      { values: 'all' },
      {},
    ]) {
      const res = await (await api()).patch(SETTINGS).set(as(admin)).send(bad);
      expect(res.status, JSON.stringify(bad)).to.equal(400);
    }
    try {
      const changed = await (
        await api()
      )
        .patch(SETTINGS)
        .set(as(admin))
        .send({ values: { chatRequiresPlan: true }, expectedVersion: version, note: 'launch of paid chat' });
      expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
      expectDocumented(changed, 'patch', SETTINGS);
      expect(changed.body.settings).to.deep.include({ version: version + 1, overrides: { chatRequiresPlan: true } });
      // A change from a stale screen is refused, not merged.
      const stale = await (
        await api()
      )
        .patch(SETTINGS)
        .set(as(admin))
        .send({ values: { postsPerDay: 5 }, expectedVersion: version });
      expect([stale.status, stale.body.error.code]).to.deep.equal([409, 'SETTINGS_CHANGED']);

      // This process at once; the other within its poll.
      const here = await (
        await api()
      )
        .post(`/api/v1/conversations/${group.body.conversation.id}/messages`)
        .set(as(ana))
        .send({ clientMessageId: clientId(), text: 'here' });
      expect(here.body.error?.code).to.equal('PLAN_REQUIRED');
      await eventually(async () => (await sendOn(otherUrl)).body.error?.code === 'PLAN_REQUIRED', 5000, 'the other process');

      const history = await (await api()).get(`${SETTINGS}/history`).set(as(admin));
      expectDocumented(history, 'get', `${SETTINGS}/history`);
      expect(history.body.versions[0]).to.deep.include({
        version: version + 1,
        changedBy: admin.id,
        note: 'launch of paid chat',
      });
      const trail = await (await api()).get('/api/v1/admin/audit').set(as(admin)).query({ action: 'admin.settings_changed' });
      expect(trail.body.records[0]).to.deep.include({ actorId: admin.id, after: { chatRequiresPlan: true } });
    } finally {
      // Back to the deployment's own: null clears the admin's value.
      const back = await (
        await api()
      )
        .patch(SETTINGS)
        .set(as(admin))
        .send({ values: { chatRequiresPlan: null } });
      expect(back.body.settings.values.chatRequiresPlan).to.equal(false);
    }
    await eventually(async () => (await sendOn(otherUrl)).status === 201, 5000, 'the other process back to free chat');
  });
});
