import { expect } from 'chai';
import type { Response } from 'supertest';
import { AuditRecord } from '../models/audit-record.model.js';
import { WebhookEvent } from '../models/webhook-event.model.js';
import { finishStoredEvents } from '../services/payments/webhook.service.js';
import { api, freshIp } from './support/app.js';
import { eventually } from './support/eventually.js';
import { tokenFrom, waitForMail } from './support/mail.js';
import { googleCredential, OAUTH } from './support/oauth.js';
import { as, deliver, paymentWhen, verify } from './support/payments.js';
import { razorpayStandIn } from './support/razorpay-standin.js';
import { bearer, signupUser } from './support/users.js';

const AUTH = '/api/v1/auth';
const requestIdOf = (res: Response) => res.headers['x-request-id'] as string;
const post = async (path: string, body: object, headers: Record<string, string> = {}) =>
  (await api()).post(`${AUTH}${path}`).set('X-Forwarded-For', freshIp()).set(headers).send(body);
/**
 * The request id each audit record of `filter` carries, by action: one record per action here,
 * so a second record of an action (whatever its request id) fails the test.
 */
async function requestIdsByAction(filter: Record<string, unknown>) {
  const records = await AuditRecord.find(filter).lean();
  const byAction = Object.fromEntries(records.map((r) => [r.action, r.requestId]));
  expect(records, 'one record per action').to.have.length(Object.keys(byAction).length);
  return byAction;
}

describe('audit trail: the request of each record', () => {
  it('names the request a payment, its membership and a refund webhook came through, each its own', async () => {
    const rz = await razorpayStandIn();
    const user = await signupUser();
    const ordered = await (await api()).post('/api/v1/payments/orders').set(as(user)).send({ plan: 'premium', months: 1 });
    expect(ordered.status, JSON.stringify(ordered.body)).to.equal(201);
    const { paymentId, orderId, amount } = ordered.body as { paymentId: string; orderId: string; amount: number };
    const attempt = rz.pay(orderId, 'captured');
    const verified = await verify(user, rz.checkout(attempt));
    expect(verified.status, JSON.stringify(verified.body)).to.equal(200);
    // The webhook's work runs after its answer, still under its request id.
    const refunded = await deliver(
      rz.webhook('refund.processed', { refund: { id: 'rfnd_all', payment_id: attempt.id, amount }, payment: attempt }),
    );
    expect(refunded.status).to.equal(200);
    await paymentWhen(paymentId, (p) => p.status === 'refunded');
    await eventually(async () => (await AuditRecord.countDocuments({ paymentId, action: 'membership.refunded' })) === 1);

    expect(await requestIdsByAction({ paymentId })).to.deep.equal({
      'payment.created': requestIdOf(ordered),
      'payment.captured': requestIdOf(verified),
      'membership.granted': requestIdOf(verified),
      'payment.refund': requestIdOf(refunded),
      'payment.refunded': requestIdOf(refunded),
      'membership.refunded': requestIdOf(refunded),
    });
    expect(new Set([ordered, verified, refunded].map(requestIdOf)).size).to.equal(3);
  });

  it("names the request of a new device's sign-in, an ended session and a password change", async () => {
    const user = await signupUser();
    const phone = await (
      await api()
    )
      .post(`${AUTH}/login`)
      .set('User-Agent', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Version/17.1 Mobile/15E148 Safari/604.1')
      .send({ identifier: user.input.email, password: user.input.password });
    expect(phone.status).to.equal(200);
    const sessions = await (await api()).get(`${AUTH}/sessions`).set(as(user));
    const other = (sessions.body.sessions as { id: string; current: boolean }[]).find((s) => !s.current)!;
    const ended = await (await api()).delete(`${AUTH}/sessions/${other.id}`).set(as(user));
    expect(ended.status).to.equal(204);
    const changed = await (
      await api()
    )
      .post(`${AUTH}/change-password`)
      .set(as(user))
      .send({ currentPassword: user.input.password, newPassword: 'another good password' });
    expect(changed.status).to.equal(204);

    expect(await requestIdsByAction({ userId: user.id })).to.deep.equal({
      'session.new_device': requestIdOf(phone),
      'session.ended': requestIdOf(ended),
      'auth.password_changed': requestIdOf(changed),
    });
  });
  it('names the request of an email change asked and confirmed, and of a password reset', async () => {
    const user = await signupUser();
    const to = `moved-${Date.now().toString(36)}@example.com`;
    const asked = await post('/change-email', { email: to }, bearer(user.accessToken));
    expect(asked.status, JSON.stringify(asked.body)).to.equal(202);
    const confirmed = await post('/change-email/confirm', { token: tokenFrom(await waitForMail(to, /Confirm your new email/)) });
    expect(confirmed.status, JSON.stringify(confirmed.body)).to.equal(200);
    expect((await post('/forgot-password', { email: to })).status).to.equal(202);
    const reset = await post('/reset-password', {
      token: tokenFrom(await waitForMail(to, /Reset your password/)),
      password: 'a brand new password',
    });
    expect(reset.status, JSON.stringify(reset.body)).to.equal(204);

    expect(await requestIdsByAction({ userId: user.id })).to.deep.equal({
      'auth.email_change_requested': requestIdOf(asked),
      'auth.email_changed': requestIdOf(confirmed),
      'auth.mailbox_proven': requestIdOf(reset),
      'auth.password_reset': requestIdOf(reset),
    });
  });

  it('names the request of a verification by a stranger to the account, and of a sign-in method linked and unlinked', async () => {
    // Verified from a browser neither signed in nor knowing the password: the mailbox is proven.
    const claimed = await signupUser();
    const proof = await post('/verify-email', { token: tokenFrom(await waitForMail(claimed.input.email, /Confirm your email/)) });
    expect(proof.status, JSON.stringify(proof.body)).to.equal(200);
    expect(await requestIdsByAction({ userId: claimed.id })).to.deep.equal({ 'auth.mailbox_proven': requestIdOf(proof) });

    const owner = await signupUser();
    const own = bearer(owner.accessToken);
    await post('/verify-email', { token: tokenFrom(await waitForMail(owner.input.email, /Confirm your email/)) }, own);
    const linked = await (
      await api()
    )
      .post(`${OAUTH}/google/link`)
      .set(own)
      .send(await googleCredential());
    expect(linked.status, JSON.stringify(linked.body)).to.equal(200);
    const unlinked = await (await api()).delete(`${OAUTH}/google`).set(own);
    expect(unlinked.status, JSON.stringify(unlinked.body)).to.equal(200);
    expect(await requestIdsByAction({ userId: owner.id })).to.deep.equal({
      'auth.provider_linked': requestIdOf(linked),
      'auth.provider_unlinked': requestIdOf(unlinked),
    });
  });

  it("keeps a webhook's request id when the job redoes its work after a crash", async () => {
    const rz = await razorpayStandIn();
    const orderId = `order_elsewhere_${Date.now()}`;
    const hook = rz.webhook('payment.captured', {
      payment: { id: `pay_${orderId}`, order_id: orderId, amount: 100, currency: 'INR', status: 'captured' },
    });
    const delivered = await deliver(hook);
    expect(delivered.status).to.equal(200);
    const unknown = { action: 'webhook.unknown_order', 'detail.orderId': orderId };
    await eventually(async () => (await AuditRecord.countDocuments(unknown)) === 1);
    // As if the process died before noting the work done: the job finds it a minute later.
    await WebhookEvent.updateOne({ _id: hook.eventId }, { $unset: { processedAt: 1 } });
    expect(await finishStoredEvents(new Date(Date.now() + 2 * 60_000))).to.be.at.least(1);
    const records = await AuditRecord.find(unknown).lean();
    expect(records.map((r) => r.requestId)).to.deep.equal([requestIdOf(delivered), requestIdOf(delivered)]);
  });
});
