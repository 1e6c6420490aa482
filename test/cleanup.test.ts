import { expect } from 'chai';
import { Types } from 'mongoose';
import { runCleanup } from '../jobs/cleanup.job.js';
import { AccountToken } from '../models/account-token.model.js';
import { Call } from '../models/call.model.js';
import { FeedSession } from '../models/feed-session.model.js';
import { HourStat } from '../models/hour-stat.model.js';
import { PostChange } from '../models/post-change.model.js';
import { Match } from '../models/match.model.js';
import { NotificationMark } from '../models/notification-mark.model.js';
import { Notification } from '../models/notification.model.js';
import { QuotaCounter } from '../models/quota-counter.model.js';
import { RefreshToken } from '../models/refresh-token.model.js';
import { Session } from '../models/session.model.js';
import { WebhookEvent } from '../models/webhook-event.model.js';
import { KEEP_DONE_EVENTS_MS } from '../services/payments/webhook.service.js';
import { api } from './support/app.js';
import { useSocketServer } from './support/chat.js';
import { signupUser } from './support/users.js';

describe('cleanup job', () => {
  const devices = useSocketServer();
  it('deletes expired sessions and tokens and keeps live ones', async () => {
    const expired = await signupUser();
    const live = await signupUser();
    const past = new Date(Date.now() - 60_000);
    await Session.updateMany({ userId: expired.id }, { $set: { expiresAt: past } });
    // A token of the first format, from before sessions held their own.
    const [session] = await Session.find({ userId: expired.id }).lean();
    await RefreshToken.create({ tokenHash: 'f'.repeat(64), sessionId: session!._id, userId: expired.id, expiresAt: past });
    await AccountToken.updateMany({ userId: expired.id }, { $set: { expiresAt: past } });

    expect(await runCleanup()).to.be.at.least(3);
    expect(await Session.countDocuments({ userId: expired.id })).to.equal(0);
    expect(await RefreshToken.countDocuments({ userId: expired.id })).to.equal(0);
    expect(await AccountToken.countDocuments({ userId: expired.id })).to.equal(0);
    expect(await Session.countDocuments({ userId: live.id })).to.equal(1);
    expect((await (await api()).post('/api/v1/auth/refresh').send({ refreshToken: live.refreshToken })).status).to.equal(200);
  });

  it('ends ringing calls and pending matches whose process died, and drops old quota counters', async () => {
    const [a, b] = await Promise.all([signupUser(), signupUser()]);
    const long = new Date(Date.now() - 3_600_000);
    const call = await Call.create({
      callerId: a.id,
      calleeId: b.id,
      memberIds: [a.id, b.id],
      mode: 'video',
      status: 'ringing',
      ringingAt: long,
      expiresAt: long,
    });
    const pendingMatch = (foundAt: Date, expiresAt: Date) =>
      Match.create({ userIds: [a.id, b.id], mode: 'chat', status: 'pending', tickets: [], foundAt, expiresAt });
    const match = await pendingMatch(long, long);
    const fresh = await pendingMatch(new Date(), new Date(Date.now() + 60_000));
    // A video match accepted by a process that died before it made the call; one that made it stays.
    const acceptedVideo = (callId?: Types.ObjectId) =>
      Match.create({
        userIds: [a.id, b.id],
        mode: 'video',
        status: 'accepted',
        tickets: [],
        foundAt: long,
        expiresAt: long,
        answeredAt: long,
        ...(callId && { callId }),
      });
    const callless = await acceptedVideo();
    const withCall = await acceptedVideo(new Types.ObjectId());
    await QuotaCounter.create({ _id: `${a.id}:2000-01-01`, userId: a.id, day: '2000-01-01', used: 3 });

    // Connected calls whose process died: one with nobody online ends, one with a member online stays.
    const connected = (callerId: string) =>
      Call.create({
        callerId,
        calleeId: b.id,
        memberIds: [callerId, b.id],
        mode: 'video',
        status: 'connected',
        ringingAt: long,
        expiresAt: long,
        connectedAt: long,
      });
    const orphaned = await connected(a.id);
    const c = await signupUser();
    const live = await connected(c.id);
    await devices.connect(c);
    await runCleanup();
    expect(await Call.findById(call._id).lean()).to.include({ status: 'ended', outcome: 'missed' });
    expect((await Match.findById(match._id).lean())?.status).to.equal('expired');
    expect((await Match.findById(fresh._id).lean())?.status).to.equal('pending');
    expect((await Match.findById(callless._id).lean())?.status).to.equal('disconnected');
    expect((await Match.findById(withCall._id).lean())?.status).to.equal('accepted');
    // Nobody online once is not enough (a restart can show that for a moment): marked only.
    expect((await Call.findById(orphaned._id).lean())?.status).to.equal('connected');
    await runCleanup(new Date(Date.now() + 5 * 60_000));
    expect(await Call.findById(orphaned._id).lean()).to.include({ status: 'ended', outcome: 'disconnected' });
    expect((await Call.findById(live._id).lean())?.status).to.equal('connected');
    expect(await QuotaCounter.exists({ _id: `${a.id}:2000-01-01` })).to.equal(null);
  });

  it('drops hour statistics past the trending baseline, old post change records and ended feed sessions', async () => {
    // One clock reading for the whole test: a run across the top of an hour must not move the hours.
    const start = Date.now();
    const hour = (hoursAgo: number) => new Date(start - hoursAgo * 3_600_000).toISOString().slice(0, 13);
    const tag = `cleanup${start.toString(36)}`;
    await HourStat.create([
      { _id: `t:${tag}:${hour(24 * 5)}`, kind: 'tag', key: tag, hour: hour(24 * 5), likes: 3 },
      { _id: `t:${tag}:${hour(1)}`, kind: 'tag', key: tag, hour: hour(1), likes: 3 },
    ]);
    const postId = '0123456789abcdef01234567';
    await PostChange.create([
      { _id: `${postId}:${hour(30)}`, postId, hour: hour(30) },
      { _id: `${postId}:${hour(1)}`, postId, hour: hour(1) },
    ]);
    const [ended, live] = await FeedSession.create([
      { userId: postId, items: [], expiresAt: new Date(start - 1000) },
      { userId: postId, items: [], expiresAt: new Date(start + 60_000) },
    ]);
    await runCleanup(new Date(start));
    expect((await HourStat.find({ key: tag }).lean()).map((h) => h.hour)).to.deep.equal([hour(1)]);
    expect((await PostChange.find({ postId }).lean()).map((c) => c.hour)).to.deep.equal([hour(1)]);
    expect(await FeedSession.exists({ _id: ended!._id })).to.equal(null);
    expect(await FeedSession.exists({ _id: live!._id })).to.not.equal(null);
  });

  it('drops payment events done longer ago than their retention; keeps newer ones and every one not done', async () => {
    const start = Date.now();
    const tag = `evt_cleanup_${start.toString(36)}`;
    const old = new Date(start - KEEP_DONE_EVENTS_MS - 60_000);
    const fields = { event: 'payment.captured', body: '{"payload":{}}', receivedAt: old };
    await WebhookEvent.create([
      { _id: `${tag}_done_old`, ...fields, processedAt: old, outcome: 'applied' },
      { _id: `${tag}_done_new`, ...fields, processedAt: new Date(start - 60_000), outcome: 'applied' },
      { _id: `${tag}_given_up`, ...fields, tries: 9, gaveUpAt: old },
      { _id: `${tag}_waiting`, ...fields, nextTryAt: new Date(start) },
    ]);
    await runCleanup(new Date(start));
    const left = await WebhookEvent.find({ _id: { $regex: `^${tag}` } }, { _id: 1 }).lean();
    expect(left.map((e) => e._id).sort()).to.deep.equal([`${tag}_done_new`, `${tag}_given_up`, `${tag}_waiting`]);
  });

  it('drops read notices after their retention, any notice after the longer one, and old "told once" marks', async () => {
    const user = await signupUser();
    const days = (n: number) => new Date(Date.now() - n * 86_400_000);
    const at = (n: number) => Types.ObjectId.createFromTime(Math.floor(days(n).getTime() / 1000));
    const base = { userId: user.id, type: 'system' as const };
    const [readLongAgo, readLately, unreadOld, unreadAncient] = await Notification.create([
      { ...base, at: at(120), readAt: days(100) },
      { ...base, at: at(120), readAt: days(10) },
      { ...base, at: at(200) },
      { ...base, at: at(400) },
    ]);
    const marks = await NotificationMark.create([
      { _id: `${user.id}:like:old`, at: days(400) },
      { _id: `${user.id}:like:new`, at: days(1) },
    ]);
    await runCleanup();
    const left = (await Notification.find({ userId: user.id }, { _id: 1 }).lean()).map((n) => String(n._id));
    expect(left.sort()).to.deep.equal([readLately, unreadOld].map((n) => String(n!._id)).sort());
    expect([readLongAgo, unreadAncient].every((n) => !left.includes(String(n!._id)))).to.equal(true);
    expect((await NotificationMark.find({ _id: { $in: marks.map((m) => m._id) } }).lean()).map((m) => m._id)).to.deep.equal([
      `${user.id}:like:new`,
    ]);
  });
});
