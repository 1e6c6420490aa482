import { expect } from 'chai';
import { AnalyticsBucket } from '../models/analytics.model.js';
import { User } from '../models/user.model.js';
import { dayKey } from '../services/analytics/buckets.js';
import {
  recordEvent,
  recordMilestone,
  recordRevenue,
  recordSession,
  recordSignup,
  recordViralPost,
  flushAnalytics,
} from '../services/analytics/record.js';
import { api } from './support/app.js';
import { useSocketServer } from './support/chat.js';
import { group, send } from './support/chat-media.js';
import { eventually } from './support/eventually.js';
import { expectDocumented } from './support/openapi.js';
import { bearer, signupUser, staffUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const ANALYTICS = '/api/v1/admin/analytics';
const DAY = 86_400_000;

/**
 * A fortnight of generated activity, far in the past (no other test counts there), recorded
 * through the same calls the app makes as things happen; the expected figures are computed
 * from the same list.
 */
describe('analytics', function () {
  this.timeout(60_000);

  it('reports what generated activity over several days adds up to', async () => {
    const admin = await staffUser('admin');
    // A Monday, and a few years back: weeks and months start clean.
    const base = Date.UTC(2021, 1, 1, 9); // 2021-02-01 09:00 UTC
    const at = (day: number, hour = 0) => new Date(base + day * DAY + hour * 3_600_000);
    const people = await Promise.all(Array.from({ length: 5 }, () => signupUser()));
    const ids = people.map((p) => p.id);
    // Sign-ups: three on day 0, two on day 1 (their accounts' creation is what retention counts from).
    const signupDay = [0, 0, 0, 1, 1];
    for (const [i, id] of ids.entries()) {
      await User.collection.updateOne(
        { _id: (await User.findById(id, { _id: 1 }).lean())!._id },
        { $set: { createdAt: at(signupDay[i]!) } },
      );
      await recordSignup(id, at(signupDay[i]!));
    }
    type Act = [person: number, event: 'message' | 'swipe' | 'post' | 'like' | 'comment', day: number];
    const acts: Act[] = [
      [0, 'message', 0],
      [0, 'message', 0],
      [1, 'swipe', 0],
      [1, 'swipe', 0],
      [2, 'post', 0],
      [0, 'message', 1],
      [1, 'like', 1],
      [3, 'message', 1],
      [0, 'comment', 2],
      [4, 'post', 2],
      [4, 'message', 2],
      [1, 'message', 3],
      [0, 'message', 7],
      [2, 'like', 7], // day 7: person 0 and 2 come back (week 2)
      [3, 'message', 8], // day 8 is day 7 for the day-1 cohort
    ];
    for (const [person, event, day] of acts) await recordEvent(event, { userId: ids[person], at: at(day, 1) });
    // Sessions: 45 s, 200 s and 700 s.
    await recordSession(ids[0]!, at(0, 2), new Date(at(0, 2).getTime() + 45_000));
    await recordSession(ids[1]!, at(1, 2), new Date(at(1, 2).getTime() + 200_000));
    await recordSession(ids[3]!, at(1, 3), new Date(at(1, 3).getTime() + 700_000));
    // Person 1 pays on day 3 (three days after signing up); a part is refunded on day 4.
    await recordEvent('payment', { userId: ids[1], at: at(3, 4) });
    await recordMilestone(ids[1]!, 'payment', at(3, 4));
    await recordRevenue('gold', 49_900, false, at(3, 4));
    await recordRevenue('gold', 10_000, true, at(4, 4));
    // Posts on days 0 and 2; shares to feeds and chats; two posts marked viral on days 0 and 2.
    await recordEvent('share', { userId: ids[2], at: at(0, 5), sums: { share_feed: 1 } });
    await recordEvent('share', { userId: ids[3], at: at(2, 5), sums: { share_feed: 1 } });
    await recordEvent('share', { userId: ids[4], at: at(2, 6), sums: { share_conversation: 1 } });
    await recordViralPost('aaaaaaaaaaaaaaaaaaaaaaaa', 3.5, at(0, 6));
    await recordViralPost('bbbbbbbbbbbbbbbbbbbbbbbb', 7.25, at(2, 7));
    await recordMilestone(ids[0]!, 'message', at(0, 1));
    await recordMilestone(ids[3]!, 'message', at(1, 1));
    // Counts are written in batches; a report reads what was written.
    await flushAnalytics();

    const res = await (
      await api()
    )
      .get(ANALYTICS)
      .set(as(admin))
      .query({ from: '2021-02-01', to: '2021-02-14', conversionDays: '7' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expectDocumented(res, 'get', ANALYTICS);
    const a = res.body.analytics;

    // Expected, from the same list: counts per day and event, distinct people per day, week and month.
    const activeOn = new Map<number, Set<number>>();
    const active = (person: number, day: number) => activeOn.set(day, (activeOn.get(day) ?? new Set()).add(person));
    signupDay.forEach((d, i) => active(i, d));
    for (const [person, , day] of acts) active(person, day);
    active(0, 0);
    active(1, 1);
    active(3, 1);
    active(1, 3);
    // The sharers.
    active(2, 0);
    active(3, 2);
    active(4, 2);
    for (let day = 0; day < 14; day++) {
      const row = a.series[day];
      for (const event of ['message', 'swipe', 'post', 'like', 'comment'] as const) {
        expect(row[event], `${event} on day ${day}`).to.equal(acts.filter(([, e, d]) => e === event && d === day).length);
      }
      expect(row.active, `DAU on day ${day}`).to.equal(activeOn.get(day)?.size ?? 0);
    }
    const weekOne = new Set([0, 1, 2, 3, 4, 5, 6].flatMap((d) => [...(activeOn.get(d) ?? [])]));
    const weekTwo = new Set([7, 8, 9, 10, 11, 12, 13].flatMap((d) => [...(activeOn.get(d) ?? [])]));
    expect(a.activeUsers.weekly.map((w: { active: number }) => w.active)).to.deep.equal([weekOne.size, weekTwo.size]);
    expect(a.activeUsers.monthly).to.deep.equal([{ month: '2021-02', active: 5 }]);
    const averageDau = [...Array(14).keys()].reduce((s, d) => s + (activeOn.get(d)?.size ?? 0), 0) / 14;
    expect(a.activeUsers.stickiness).to.equal(Math.round((averageDau / 5) * 1000) / 1000);

    // Cohorts: day 0 (three people): who came back on day 1 and on day 7; day 1 (two): on day 8.
    const back = (cohort: number[], day: number) => cohort.filter((p) => activeOn.get(day)?.has(p)).length;
    expect(a.cohorts[0]).to.deep.include({ day: '2021-02-01', signups: 3 });
    expect(a.cohorts[0].retained).to.deep.equal({ d1: back([0, 1, 2], 1), d7: back([0, 1, 2], 7), d30: 0 });
    expect(a.cohorts[1].retained).to.deep.include({ d7: back([3, 4], 8) });
    expect(a.funnel).to.deep.equal({ signups: 5, firstConnection: 0, firstMessage: 2, firstPayment: 1 });
    expect(a.conversion).to.deep.equal({ withinDays: 7, paid: 1, signups: 5, rate: 0.2 });
    const noConversion = await (
      await api()
    )
      .get(ANALYTICS)
      .set(as(admin))
      .query({ from: '2021-02-01', to: '2021-02-14', conversionDays: '2' });
    expect(noConversion.body.analytics.conversion.paid, 'paid on day 3, not within 2').to.equal(0);
    expect(a.sessions).to.deep.equal({ count: 3, averageSeconds: Math.round((45 + 200 + 700) / 3), medianSeconds: 300 });
    expect(a.revenue.byPlan).to.deep.include({ gold: 49_900 });
    expect(a.revenue).to.deep.include({ gross: 49_900, refunds: 10_000, net: 39_900 });
    expect(a.totals.payment).to.equal(1);
    expect(a.viral).to.deep.equal({
      posts: 2,
      rate: 1,
      shares: 3,
      sharesToFeed: 2,
      sharesToChats: 1,
      sharesPerPost: 1.5,
      top: [
        { postId: 'bbbbbbbbbbbbbbbbbbbbbbbb', score: 7.25, day: '2021-02-03' },
        { postId: 'aaaaaaaaaaaaaaaaaaaaaaaa', score: 3.5, day: '2021-02-01' },
      ],
    });

    // Hourly, and one series as CSV.
    const hourly = await (
      await api()
    )
      .get(ANALYTICS)
      .set(as(admin))
      .query({ from: '2021-02-01T00:00:00Z', to: '2021-02-01T23:00:00Z', granularity: 'hour' });
    expect(hourly.body.analytics.series).to.have.length(24);
    expect(hourly.body.analytics.series[10].message).to.equal(2);
    const csv = await (
      await api()
    )
      .get(`${ANALYTICS}/series.csv`)
      .set(as(admin))
      .query({ from: '2021-02-01', to: '2021-02-03', name: 'message' });
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-type']).to.match(/^text\/csv/);
    expect(csv.text).to.equal('at,message\n2021-02-01T00:00:00.000Z,2\n2021-02-02T00:00:00.000Z,2\n2021-02-03T00:00:00.000Z,1\n');
  });

  it('counts what happens through the app as it happens, for admins only', async () => {
    const [admin, mod] = await Promise.all([staffUser('admin'), staffUser('moderator')]);
    const today = new Date().toISOString().slice(0, 10);
    const read = async (): Promise<{ signup: number; message: number }> =>
      (await (await api()).get(ANALYTICS).set(as(admin)).query({ from: today, to: today })).body.analytics.totals;
    const before = await read();
    const { ana, conversationId } = await group();
    await send(ana, conversationId, { text: 'counted' });
    await eventually(
      async () => {
        const after = await read();
        return after.signup >= before.signup + 3 && after.message >= before.message + 1;
      },
      5000,
      'the sign-ups and the message counted',
    );
    expect((await (await api()).get(ANALYTICS).set(as(mod)).query({ from: today, to: today })).status).to.equal(403);
    for (const bad of [
      { from: today },
      { from: '2021-01-01', to: '2023-01-01' },
      { from: today, to: '2020-01-01' },
      { from: today, to: today, granularity: 'week' },
    ]) {
      expect((await (await api()).get(ANALYTICS).set(as(admin)).query(bad)).status, JSON.stringify(bad)).to.equal(400);
    }
  });
});

describe('analytics of live sockets', function () {
  this.timeout(30_000);
  const devices = useSocketServer();

  it("counts a socket's session when it closes, timed from its handshake", async () => {
    const ana = await signupUser();
    const day = dayKey(new Date());
    const counted = async () => {
      await flushAnalytics();
      const bucket = await AnalyticsBucket.findById(day, { counts: 1 }).lean();
      const counts = (bucket?.counts ?? {}) as Record<string, number>;
      return { sessions: counts.session ?? 0, seconds: counts.session_seconds ?? 0 };
    };
    const before = await counted();
    const openedAt = Date.now();
    const socket = await devices.connect(ana);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    socket.close();
    await eventually(async () => (await counted()).sessions > before.sessions, 5000, 'the session counted');
    const lived = (Date.now() - openedAt) / 1000;
    const after = await counted();
    expect(after.sessions - before.sessions).to.equal(1);
    expect(after.seconds - before.seconds)
      .to.be.at.least(2)
      .and.at.most(Math.ceil(lived));
  });
});
