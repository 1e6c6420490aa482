import { expect } from 'chai';
import { runMembershipJob } from '../jobs/membership.job.js';
import { reconcilePayments } from '../services/payments/reconcile.service.js';
import { AuditRecord } from '../models/audit-record.model.js';
import { Payment } from '../models/payment.model.js';
import { User } from '../models/user.model.js';
import { expireMemberships } from '../services/payments/membership.service.js';
import { api } from './support/app.js';
import { mailsTo, waitForMail } from './support/mail.js';
import { runTs } from './support/process.js';
import { as, order, payFor } from './support/payments.js';
import { razorpayStandIn } from './support/razorpay-standin.js';
import { signupUser, staffUser, type SignedUp } from './support/users.js';

const DAY = 86_400_000;

async function member(plan: 'gold' | 'premium'): Promise<SignedUp> {
  const user = await signupUser();
  await payFor(user, plan);
  return user;
}

describe('membership job', () => {
  it('expires memberships past their end, each once, even with two runs at once; the quota follows', async () => {
    const [gold, premium] = await Promise.all([member('gold'), member('premium')]);
    const later = new Date(Date.now() + 40 * DAY);
    // Two processes at once: one takes the lease, the other does nothing.
    const runs = await Promise.all([runMembershipJob(later), runMembershipJob(later)]);
    expect(runs.filter((r) => r !== null)).to.have.length(1);
    // And without the lease, the conditional writes alone expire each once.
    await Promise.all([expireMemberships(later), expireMemberships(later)]);
    for (const user of [gold, premium]) {
      const after = (await User.findById(user.id).lean())!;
      expect([after.plan, after.verifiedBadge, after.planExpiresAt]).to.deep.equal(['free', false, undefined]);
      expect(await AuditRecord.countDocuments({ userId: user.id, action: 'membership.expired' })).to.equal(1);
    }
    const quota = await (await api()).get('/api/v1/users/me/quota').set(as(gold)).expect(200);
    expect(quota.body.quota ?? quota.body).to.include({ plan: 'free', limit: 3 });
  });

  it('two processes running the job at once expire each membership once', async () => {
    const users = await Promise.all([member('gold'), member('premium'), member('gold')]);
    await User.updateMany({ _id: { $in: users.map((u) => u.id) } }, { $set: { planExpiresAt: new Date(Date.now() - 60_000) } });
    const runs = [runTs('scripts/membership-job.ts', [], {}), runTs('scripts/membership-job.ts', [], {})];
    expect(await Promise.all(runs.map((r) => r.exited)), runs.map((r) => r.output()).join('\n')).to.deep.equal([0, 0]);
    for (const user of users) {
      expect((await User.findById(user.id).lean())!.plan).to.equal('free');
      expect(await AuditRecord.countDocuments({ userId: user.id, action: 'membership.expired' })).to.equal(1);
    }
  });

  it('keeps a badge an admin gave when Premium ends', async () => {
    const user = await member('premium');
    await User.updateOne({ _id: user.id }, { $set: { badgeFromPlan: false } }); // as if an admin had verified them first
    await expireMemberships(new Date(Date.now() + 40 * DAY));
    expect((await User.findById(user.id).lean())!).to.include({ plan: 'free', verifiedBadge: true });
  });

  it("an admin's badge decision outlasts the plan: a removal survives a renewal, a grant survives the end", async () => {
    const admin = await staffUser('admin');
    const [removed, vouched] = await Promise.all([member('premium'), member('premium')]);
    const setBadge = async (user: SignedUp, verifiedBadge: boolean) =>
      expect(
        (await (await api()).patch(`/api/v1/admin/users/${user.id}/badge`).set(as(admin)).send({ verifiedBadge })).status,
      ).to.equal(200);
    // Taken away (say, for impersonation), then Premium renewed: it stays away.
    await setBadge(removed, false);
    await payFor(removed, 'premium');
    expect((await User.findById(removed.id).lean())!).to.include({ plan: 'premium', verifiedBadge: false });
    // Vouched for by an admin while Premium gave it, then Premium ends: it stays.
    await setBadge(vouched, true);
    await expireMemberships(new Date(Date.now() + 40 * DAY));
    expect((await User.findById(vouched.id).lean())!).to.include({ plan: 'free', verifiedBadge: true });
  });

  it('reminds once, a few days before the end', async () => {
    const user = await member('gold');
    const expiresAt = (await User.findById(user.id).lean())!.planExpiresAt!;
    const twoDaysBefore = new Date(expiresAt.getTime() - 2 * DAY);
    await runMembershipJob(new Date(expiresAt.getTime() - 10 * DAY));
    expect(await mailsTo(user.input.email)).to.satisfy((m: { subject: string }[]) => !m.some((x) => /ends soon/.test(x.subject)));
    // The job awaits each mail it sends: once it returns, everything it sent is in the store.
    await runMembershipJob(twoDaysBefore);
    await runMembershipJob(twoDaysBefore);
    await waitForMail(user.input.email, /Your gold membership ends soon/);
    expect((await mailsTo(user.input.email)).filter((m) => /ends soon/.test(m.subject))).to.have.length(1);
  });

  it('reconciles a payment whose verify and webhooks never came by asking Razorpay', async () => {
    const rz = await razorpayStandIn();
    const user = await signupUser();
    const created = await order(user);
    rz.pay(created.orderId, 'failed');
    rz.pay(created.orderId, 'captured');
    expect(await reconcilePayments(new Date()), 'too recent to ask about').to.equal(0);
    await reconcilePayments(new Date(Date.now() + 20 * 60_000));
    const payment = (await Payment.findById(created.paymentId).lean())!;
    expect(payment.status).to.equal('captured');
    expect(payment.history.at(-1)?.source).to.equal('reconcile');
    expect((await User.findById(user.id).lean())!.plan).to.equal('gold');
  });

  it('finishes a grant a crash cut after the membership was written, without granting twice', async () => {
    const user = await signupUser();
    const { paymentId } = await payFor(user);
    const before = (await Payment.findById(paymentId).lean())!;
    const expiry = (await User.findById(user.id).lean())!.planExpiresAt!;
    // As if the process died between the user's write and the payment's record of it.
    await Payment.updateOne(
      { _id: paymentId },
      { $unset: { granted: 1 }, $set: { grantedAt: new Date(Date.now() - 5 * 60_000) } },
    );
    await reconcilePayments(new Date());
    const after = (await Payment.findById(paymentId).lean())!;
    expect(after.granted).to.deep.equal(before.granted);
    const member = (await User.findById(user.id).lean())!;
    expect(member.planExpiresAt!.getTime()).to.equal(expiry.getTime());
    expect(member.membershipPaymentIds.map(String)).to.deep.equal([paymentId]);
  });
});

describe('payments: admin', () => {
  it('lists payments and the audit trail for admins only', async () => {
    const user = await member('gold');
    const admin = await signupUser();
    await User.updateOne({ _id: admin.id }, { $set: { role: 'admin' } });
    const token = (
      await (await api()).post('/api/v1/auth/login').send({ identifier: admin.input.email, password: admin.input.password })
    ).body.accessToken as string;
    const headers = { Authorization: `Bearer ${token}` };
    expect((await (await api()).get('/api/v1/admin/payments').set(as(user))).status).to.equal(403);
    const list = await (await api()).get('/api/v1/admin/payments?status=captured&limit=5').set(headers).expect(200);
    expect(list.body.payments.length).to.be.within(1, 5);
    expect(list.body.payments.every((p: { status: string }) => p.status === 'captured')).to.equal(true);
    const trail = await (await api()).get(`/api/v1/admin/payments/audit?userId=${user.id}`).set(headers).expect(200);
    expect(trail.body.records.map((r: { action: string }) => r.action)).to.include.members([
      'payment.created',
      'payment.captured',
      'membership.granted',
    ]);
    expect((await (await api()).get('/api/v1/admin/payments?status=bogus').set(headers)).status).to.equal(400);
  });
});
