import { expect } from 'chai';
import { Types } from 'mongoose';
import { Notification } from '../models/notification.model.js';
import { SystemNotice } from '../models/system-notice.model.js';
import { sendDueSystemNotices } from '../services/notifications/system-notice.service.js';
import { api } from './support/app.js';
import { collect, eventually, useSocketServer } from './support/chat.js';
import { ofType } from './support/notifications.js';
import { expectDocumented } from './support/openapi.js';
import { runTs } from './support/process.js';
import { bearer, signupUser, staffUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const NOTICES = '/api/v1/admin/notices';

/** People in a country of their own choosing (the test's countries are used by no other test). */
async function livingIn(country: string, count: number): Promise<SignedUp[]> {
  const people = await Promise.all(Array.from({ length: count }, () => signupUser()));
  for (const p of people) await (await api()).patch('/api/v1/users/me').set(as(p)).send({ country }).expect(200);
  return people;
}

const systemNoticesOf = async (u: SignedUp, text: string) => (await ofType(u, 'system')).filter((n) => n.text === text);

describe('scheduled system notices', () => {
  const devices = useSocketServer();

  it('an admin schedules a notice for a country; two processes at once send it once, and count who it reached', async function () {
    this.timeout(60_000);
    const admin = await staffUser('admin');
    const [islanders, norwegians, [banned]] = await Promise.all([livingIn('is', 3), livingIn('NO', 1), livingIn('IS', 1)]);
    expect((await (await api()).get('/api/v1/users/me').set(as(islanders[0]!))).body.user.country).to.equal('IS');
    await (await api()).patch(`/api/v1/admin/users/${banned!.id}/ban`).set(as(admin)).send({ banned: true }).expect(200);
    const text = `Maintenance tonight ${Date.now().toString(36)}`;

    // Only admins; hostile or absurd bodies refused, nothing stored.
    const body = { text, segment: { kind: 'country', country: 'is' }, sendAt: new Date().toISOString() };
    expect((await (await api()).post(NOTICES).set(as(islanders[0]!)).send(body)).status).to.equal(403);
    for (const bad of [
      { ...body, text: { $gt: '' } },
      { ...body, text: '   ' },
      { ...body, segment: { kind: 'galaxy' } },
      { ...body, segment: { kind: 'plan', plan: 'platinum' } },
      { ...body, segment: { kind: 'country', country: 'XX' } },
      { ...body, segment: { kind: 'inactive', inactiveDays: 0 } },
      { ...body, segment: { kind: 'everyone', extra: 1 } },
      { ...body, sendAt: 'tomorrow' },
      { ...body, sendAt: '2999-01-01T00:00:00Z' },
    ]) {
      const res = await (await api()).post(NOTICES).set(as(admin)).send(bad);
      expect(res.status, JSON.stringify(bad)).to.equal(400);
    }
    expect(await SystemNotice.countDocuments({ text })).to.equal(0);

    const scheduled = await (await api()).post(NOTICES).set(as(admin)).send(body);
    expect(scheduled.status, JSON.stringify(scheduled.body)).to.equal(201);
    expectDocumented(scheduled, 'post', NOTICES);
    expect(scheduled.body.notice).to.include({ status: 'scheduled', delivered: 0 });
    expect(scheduled.body.notice.segment).to.deep.equal({ kind: 'country', country: 'IS' });

    const runs = [runTs('scripts/system-notices-job.ts', [], {}), runTs('scripts/system-notices-job.ts', [], {})];
    expect(await Promise.all(runs.map((r) => r.exited)), runs.map((r) => r.output()).join('\n')).to.deep.equal([0, 0]);

    for (const p of islanders) expect(await systemNoticesOf(p, text), p.id).to.have.length(1);
    expect(await systemNoticesOf(norwegians[0]!, text)).to.deep.equal([]);
    expect(await Notification.countDocuments({ userId: banned!.id, type: 'system' })).to.equal(0);
    const list = await (await api()).get(NOTICES).set(as(admin));
    expectDocumented(list, 'get', NOTICES);
    const sent = list.body.notices.find((n: { id: string }) => n.id === scheduled.body.notice.id);
    expect(sent).to.include({ status: 'sent', delivered: 3 });
    expect(sent.sentAt).to.be.a('string');

    // Running again tells nobody.
    expect(await sendDueSystemNotices()).to.equal(0);
    for (const p of islanders) expect(await systemNoticesOf(p, text)).to.have.length(1);
  });

  it('a process taking over a lapsed send goes on from where the last one stopped, telling nobody twice', async () => {
    const people = (await livingIn('FO', 3)).sort((a, b) => a.id.localeCompare(b.id));
    const text = `Take-over ${Date.now().toString(36)}`;
    // The one before died after telling the first person, with its last batch half-recorded:
    // the second person was told too, but its place still points at the first.
    const notice = await SystemNotice.create({
      text,
      segment: { kind: 'country', country: 'FO' },
      sendAt: new Date(Date.now() - 60_000),
      status: 'sending',
      owner: 'a-process-that-died',
      leaseUntil: new Date(Date.now() - 1000),
      after: new Types.ObjectId(people[0]!.id),
      delivered: 1,
      createdBy: new Types.ObjectId(),
    });
    for (const p of people.slice(0, 2)) {
      await Notification.create({
        userId: p.id,
        type: 'system',
        data: { text },
        at: new Types.ObjectId(),
        sourceKey: `${String(notice._id)}:${p.id}`,
      });
    }
    const socket = await devices.connect(people[2]!);
    const live = collect(socket, 'notification:new');
    expect(await sendDueSystemNotices()).to.equal(1);
    // The one told now hears it live.
    await eventually(() => live.some((n) => n.type === 'system' && n.text === text), 3000, 'the live notice');
    for (const p of people) expect(await systemNoticesOf(p, text), p.id).to.have.length(1);
    expect(await SystemNotice.findById(notice._id).lean()).to.include({ status: 'sent', delivered: 3 });
  });

  it('a notice not yet begun can be cancelled, and then never goes out', async () => {
    const admin = await staffUser('admin');
    const [person] = await livingIn('GL', 1);
    const text = `Cancelled ${Date.now().toString(36)}`;
    const later = new Date(Date.now() + 3_600_000);
    const scheduled = await (
      await api()
    )
      .post(NOTICES)
      .set(as(admin))
      .send({ text, segment: { kind: 'country', country: 'GL' }, sendAt: later.toISOString() });
    const id = scheduled.body.notice.id as string;
    const cancel = await (await api()).delete(`${NOTICES}/${id}`).set(as(admin));
    expectDocumented(cancel, 'delete', `${NOTICES}/{noticeId}`);
    expect(cancel.status).to.equal(204);
    const again = await (await api()).delete(`${NOTICES}/${id}`).set(as(admin));
    expect([again.status, again.body.error.code]).to.deep.equal([409, 'NOTICE_NOT_CANCELLABLE']);
    expect((await (await api()).delete(`${NOTICES}/${new Types.ObjectId().toString()}`).set(as(admin))).status).to.equal(404);
    await sendDueSystemNotices(new Date(later.getTime() + 60_000));
    expect(await systemNoticesOf(person!, text)).to.deep.equal([]);
  });
});
