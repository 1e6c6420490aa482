import { expect } from 'chai';
import { config } from '../config/index.js';
import { AuditRecord } from '../models/audit-record.model.js';
import { Payment } from '../models/payment.model.js';
import { RefundAlert } from '../models/refund-alert.model.js';
import { User } from '../models/user.model.js';
import { WebhookEvent } from '../models/webhook-event.model.js';
import { hmacSha256Hex } from '../services/payments/signature.js';
import { api } from './support/app.js';
import { mailOutage, mailsTo, waitForMail } from './support/mail.js';
import {
  as,
  deliver,
  expectMonthsAfter,
  order,
  payFor,
  paymentEvent,
  paymentWhen,
  verify,
  webhookDone,
} from './support/payments.js';
import { razorpayStandIn, type RazorpayStandIn } from './support/razorpay-standin.js';
import { REFUND_TRIES } from '../services/payments/deleted-account-refund.js';
import { reconcilePayments } from '../services/payments/reconcile.service.js';
import { finishStoredEvents } from '../services/payments/webhook.service.js';
import { GIVE_UP_AFTER_MS } from '../services/payments/webhook-retry.js';
import { expectDocumented } from './support/openapi.js';
import { signupUser, staffUser } from './support/users.js';
import { eventually } from './support/eventually.js';

/** How many refunds of this payment the gateway was asked for. */
const refundCalls = (rz: RazorpayStandIn, paymentId: string) =>
  rz.requests.filter((r) => r.method === 'POST' && r.path === `/v1/payments/${paymentId}/refund`).length;

/** An order whose account is deleted before it is paid (Checkout still open in another tab). */
async function orderThenDelete(plan: string) {
  const rz = await razorpayStandIn();
  const user = await signupUser();
  const created = await order(user, plan);
  expect((await (await api()).delete('/api/v1/users/me').set(as(user))).status).to.equal(204);
  return { rz, user, created };
}

/**
 * A deleted account's payment whose refund try claimed it and was answered by the gateway,
 * its refund id not stored yet; and that refund's failure, signed, not delivered.
 */
async function refundInFlight(refundId: string) {
  const { rz, created } = await orderThenDelete('gold');
  const attempt = rz.pay(created.orderId, 'authorized');
  const authorized = await paymentEvent('payment.authorized', attempt);
  await deliver(authorized);
  await webhookDone(authorized.eventId);
  await Payment.updateOne(
    { _id: created.paymentId },
    { $set: { status: 'captured', paymentId: attempt.id, refundRequestedAt: new Date(), refundTries: 1 } },
  );
  const refundFailure = rz.webhook('refund.failed', {
    refund: { id: refundId, entity: 'refund', payment_id: attempt.id, amount: 49900, status: 'failed' },
    payment: attempt,
  });
  return { created, refundFailure };
}

/** The subjects of the admin's mails about one payment. */
const adminMailsAbout = async (paymentId: string) =>
  (await mailsTo('alerts@devtinder.test')).filter((m) => m.body.text?.includes(paymentId)).map((m) => m.subject);

describe('payments: orders and checkout', () => {
  it('lists the plans from config', async () => {
    const res = await (await api()).get('/api/v1/payments/plans').expect(200);
    expect(res.body.plans).to.deep.include({
      plan: 'gold',
      months: 1,
      amount: 49900,
      currency: 'INR',
      grants: { dailyRequests: 5, chat: true, badge: false },
    });
    expect(res.body.plans.map((p: { plan: string; months: number }) => `${p.plan}:${p.months}`)).to.deep.equal([
      'gold:1',
      'gold:3',
      'premium:1',
      'premium:3',
    ]);
  });

  it('order -> checkout -> verify makes the member; the amount is the server price, whatever the client sends', async () => {
    const rz = await razorpayStandIn();
    const user = await signupUser();
    const started = new Date();
    const created = await order(user, 'gold', 1, { amount: 100, currency: 'USD' });
    expect(created).to.include({ amount: 49900, currency: 'INR', keyId: rz.keyId });
    const sent = rz.orders.get(created.orderId)!;
    expect(sent).to.include({ amount: 49900, currency: 'INR', receipt: created.paymentId });
    expect(sent.notes).to.deep.equal({ userId: user.id, plan: 'gold', months: '1' });

    const attempt = rz.pay(created.orderId, 'captured');
    const res = await verify(user, rz.checkout(attempt));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.payment).to.include({ status: 'captured', amount: 49900, razorpayPaymentId: attempt.id });
    expect(res.body.membership.plan).to.equal('gold');
    expectMonthsAfter(res.body.membership.expiresAt, started, 1);

    const quota = await (await api()).get('/api/v1/users/me/quota').set(as(user)).expect(200);
    expect(quota.body.quota ?? quota.body).to.include({ plan: 'gold', limit: 5 });
    const history = await (await api()).get('/api/v1/payments/history').set(as(user)).expect(200);
    expect(history.body.payments.map((p: { id: string }) => p.id)).to.deep.equal([created.paymentId]);
    expect(history.body.payments[0].history.map((h: { status: string }) => h.status)).to.deep.equal(['created', 'captured']);
    await waitForMail('alerts@devtinder.test', new RegExp(`Payment succeeded: gold`));
    expect(await AuditRecord.countDocuments({ paymentId: created.paymentId, action: 'membership.granted' })).to.equal(1);

    // The same answer replayed: the stored payment answers, Razorpay is not asked again, nothing more is granted.
    const fetches = () => rz.requests.filter((r) => r.method === 'GET' && r.path === `/v1/payments/${attempt.id}`).length;
    const asked = fetches();
    for (let i = 0; i < 3; i++) {
      const again = await verify(user, rz.checkout(attempt));
      expect([again.status, again.body.payment.status, again.body.membership.expiresAt]).to.deep.equal([
        200,
        'captured',
        res.body.membership.expiresAt,
      ]);
    }
    expect(fetches()).to.equal(asked);
    expect(await AuditRecord.countDocuments({ paymentId: created.paymentId, action: 'membership.granted' })).to.equal(1);
  });

  it('refuses a tampered signature, another user order, unknown plans and downgrades, changing nothing', async () => {
    const rz = await razorpayStandIn();
    const [user, other] = await Promise.all([signupUser(), signupUser()]);
    const created = await order(user);
    const attempt = rz.pay(created.orderId, 'captured');
    const good = rz.checkout(attempt);
    const tampered = { ...good, razorpay_signature: good.razorpay_signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) };
    const bad = await verify(user, tampered);
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('INVALID_SIGNATURE');
    const swapped = await verify(user, { ...good, razorpay_payment_id: rz.pay(created.orderId, 'captured').id });
    expect(swapped.body.error.code, 'a signature is for one payment id').to.equal('INVALID_SIGNATURE');
    const theirs = await verify(other, good);
    expect(theirs.status).to.equal(404);
    const operator = await verify(user, { ...good, razorpay_order_id: { $ne: 'x' } });
    expect(operator.status).to.equal(400);
    expect((await Payment.findById(created.paymentId).lean())!.status).to.equal('created');
    expect((await User.findById(user.id).lean())!.plan).to.equal('free');
    expect((await User.findById(other.id).lean())!.plan).to.equal('free');

    const unknown = await (await api()).post('/api/v1/payments/orders').set(as(user)).send({ plan: 'gold', months: 2 });
    expect(unknown.body.error.code).to.equal('UNKNOWN_PLAN');
    await payFor(user, 'premium');
    const downgrade = await (await api()).post('/api/v1/payments/orders').set(as(user)).send({ plan: 'gold', months: 1 });
    expect([downgrade.status, downgrade.body.error.code]).to.deep.equal([409, 'PLAN_DOWNGRADE']);
  });

  it("with Razorpay keys the checkout is Razorpay's script, and the local stand-in does not exist", async () => {
    const user = await signupUser();
    const created = (await order(user)) as { checkoutScript?: string };
    expect(created.checkoutScript).to.equal('https://checkout.razorpay.com/v1/checkout.js');
    const script = await (await api()).get('/api/v1/payments/local-checkout.js');
    expect(script.status).to.equal(404);
    const pay = await (
      await api()
    )
      .post('/api/v1/payments/local-checkout/pay')
      .set(as(user))
      .send({ orderId: (created as { orderId: string }).orderId });
    expect(pay.status).to.equal(404);
    expect((await Payment.findOne({ userId: user.id }, { status: 1 }).lean())?.status).to.equal('created');
  });

  it('limits the orders one user creates an hour (each is a call to Razorpay)', async () => {
    const user = await signupUser();
    for (let i = 0; i < 6; i++) await order(user);
    const seventh = await (await api()).post('/api/v1/payments/orders').set(as(user)).send({ plan: 'gold', months: 1 });
    expect([seventh.status, seventh.body.error.code]).to.deep.equal([429, 'RATE_LIMITED']);
    expect(await Payment.countDocuments({ userId: user.id })).to.equal(6);
    await order(await signupUser()); // others are not affected
  });

  it('a renewal extends from the running expiry; an upgrade starts at once with the blue tick', async () => {
    const user = await signupUser();
    await payFor(user);
    const afterFirst = (await User.findById(user.id).lean())!.planExpiresAt!;
    await payFor(user, 'gold', 3);
    expectMonthsAfter((await User.findById(user.id).lean())!.planExpiresAt, afterFirst, 3);

    const started = new Date();
    const { verified } = await payFor(user, 'premium');
    expect(verified.membership).to.include({ plan: 'premium', badge: true });
    expectMonthsAfter(verified.membership.expiresAt, started, 1);
    const profile = await (await api()).get(`/api/v1/users/${user.input.username}`).set(as(await signupUser()));
    expect(profile.body.profile.verifiedBadge).to.equal(true);
  });

  /** A Gold order of `months` made while free (allowed then) and paid once Premium runs: how much Premium time it added. */
  async function staleGoldPaidDuringPremium(months: number) {
    const rz = await razorpayStandIn();
    const user = await signupUser();
    const stale = await order(user, 'gold', months);
    await payFor(user, 'premium');
    const premiumUntil = (await User.findById(user.id).lean())!.planExpiresAt!;
    const paid = await verify(user, rz.checkout(rz.pay(stale.orderId)));
    expect(paid.status, JSON.stringify(paid.body)).to.equal(200);
    expect(paid.body.membership.plan).to.equal('premium');
    return { added: new Date(paid.body.membership.expiresAt).getTime() - premiumUntil.getTime(), premiumUntil };
  }

  it('a Gold order paid after an upgrade to Premium buys Premium time worth what was paid, not a Premium month', async () => {
    const { added, premiumUntil } = await staleGoldPaidDuringPremium(1);
    const share = config.payments.prices.gold[1]! / config.payments.prices.premium[1]!;
    const month = new Date(premiumUntil).setUTCMonth(premiumUntil.getUTCMonth() + 1) - premiumUntil.getTime();
    expect(added).to.be.within(Math.floor(month * share) - 1000, Math.floor(month * share) + 1000);
    expect(added).to.be.lessThan(month);
  });

  it('a lower plan paid for a length the higher plan does not sell buys that plan at its cheapest monthly rate', async () => {
    const gold = config.payments.prices.gold;
    expect(config.payments.prices.premium[6], 'premium has no 6-month price').to.equal(undefined);
    gold[6] = 249_900;
    try {
      const { added, premiumUntil } = await staleGoldPaidDuringPremium(6);
      const cheapestMonthly = Math.min(
        ...Object.entries(config.payments.prices.premium).map(([months, amount]) => amount / Number(months)),
      );
      const share = 249_900 / (cheapestMonthly * 6);
      const sixMonths = new Date(premiumUntil).setUTCMonth(premiumUntil.getUTCMonth() + 6) - premiumUntil.getTime();
      expect(added).to.be.within(Math.floor(sixMonths * share) - 1000, Math.floor(sixMonths * share) + 1000);
    } finally {
      delete gold[6];
    }
  });
});

describe('payments: webhooks', () => {
  it('refuses a bad, missing or re-serialised signature and stores nothing', async () => {
    const rz = await razorpayStandIn();
    const user = await signupUser();
    const created = await order(user);
    const hook = await paymentEvent('payment.captured', rz.pay(created.orderId));
    const reserialised = JSON.stringify(JSON.parse(hook.body), null, 1);
    for (const [label, res] of [
      ['bad', await deliver({ ...hook, signature: 'ab'.repeat(32) })],
      ['missing', await (await api()).post('/api/v1/payments/webhook').set('content-type', 'application/json').send(hook.body)],
      ['re-serialised', await deliver({ ...hook, body: reserialised })],
      ['not hex', await deliver({ ...hook, signature: 'zz' })],
    ] as const) {
      expect(res.status, label).to.equal(400);
      expect(res.body.error.code, label).to.equal('INVALID_SIGNATURE');
    }
    expect(await WebhookEvent.countDocuments({ _id: hook.eventId })).to.equal(0);
    expect((await Payment.findById(created.paymentId).lean())!.status).to.equal('created');
  });

  it('answers hostile but signed deliveries with stable codes and changes nothing', async () => {
    const rz = await razorpayStandIn();
    const user = await signupUser();
    const created = await order(user);
    const signed = (body: string) => ({
      body,
      signature: hmacSha256Hex(rz.webhookSecret, body),
      eventId: `evt_h${Date.now()}${body.length}`,
    });
    const notJson = await deliver(signed('{"event": "payment.captured", '));
    expect([notJson.status, notJson.body.error.code]).to.deep.equal([400, 'MALFORMED_JSON']);
    const noEvent = await deliver(signed(JSON.stringify({ payload: {} })));
    expect([noEvent.status, noEvent.body.error.code]).to.deep.equal([400, 'INVALID_WEBHOOK']);
    // An operator object where the order id belongs finds nothing and is kept as unknown.
    const operator = signed(
      JSON.stringify({
        event: 'payment.captured',
        payload: { payment: { entity: { id: 'pay_x', order_id: { $ne: null }, amount: 49900, currency: 'INR' } } },
      }),
    );
    expect((await deliver(operator)).status).to.equal(200);
    await eventually(async () => Boolean((await WebhookEvent.findById(operator.eventId).lean())?.outcome));
    expect((await WebhookEvent.findById(operator.eventId).lean())?.outcome).to.equal('unknown_order');
    const huge = await deliver(signed(JSON.stringify({ event: 'payment.captured', payload: { pad: 'x'.repeat(1_100_000) } })));
    expect(huge.status).to.equal(413);
    expect((await Payment.findById(created.paymentId).lean())!.status).to.equal('created');
    expect((await User.findById(user.id).lean())!.plan).to.equal('free');
  });

  it('credits an event delivered three times once, and never moves a payment backwards', async () => {
    const rz = await razorpayStandIn();
    const user = await signupUser();
    const started = new Date();
    const created = await order(user);
    const attempt = rz.pay(created.orderId, 'captured');
    const hook = await paymentEvent('payment.captured', attempt);
    const answers = await Promise.all([deliver(hook), deliver(hook), deliver(hook)]);
    expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 200]);
    expect(answers.filter((a) => a.body.duplicate === false)).to.have.length(1);
    await paymentWhen(created.paymentId, (p) => Boolean(p.granted));
    // A second event id for the same capture (Razorpay retries with a new one sometimes), late events after it.
    const late = [
      await paymentEvent('payment.captured', attempt),
      await paymentEvent('payment.failed', { ...attempt, status: 'failed', error_description: 'late' }),
      await paymentEvent('payment.authorized', { ...attempt, status: 'authorized' }),
    ];
    for (const event of late) await deliver(event);
    const ids = [hook, ...late].map((e) => e.eventId);
    await eventually(async () => (await WebhookEvent.countDocuments({ _id: { $in: ids }, processedAt: null })) === 0);
    const payment = (await Payment.findById(created.paymentId).lean())!;
    expect(payment.status).to.equal('captured');
    expect(payment.history.map((h) => h.status)).to.deep.equal(['created', 'captured']);
    const member = (await User.findById(user.id).lean())!;
    expect(member.membershipPaymentIds.map(String)).to.deep.equal([created.paymentId]);
    expectMonthsAfter(member.planExpiresAt, started, 1);
    expect(await AuditRecord.countDocuments({ paymentId: created.paymentId, action: 'membership.granted' })).to.equal(1);
  });

  it('order.paid before verify and verify before order.paid both end in one membership', async () => {
    const rz = await razorpayStandIn();
    for (const webhookFirst of [true, false]) {
      const user = await signupUser();
      const started = new Date();
      const created = await order(user);
      const attempt = rz.pay(created.orderId, 'captured');
      const paid = rz.webhook('order.paid', { payment: attempt, order: { ...rz.orders.get(created.orderId), status: 'paid' } });
      const checkoutDone = async () => expect((await verify(user, rz.checkout(attempt))).status).to.equal(200);
      if (webhookFirst) {
        expect((await deliver(paid)).status).to.equal(200);
        await paymentWhen(created.paymentId, (p) => Boolean(p.granted));
        await checkoutDone();
      } else {
        await checkoutDone();
        expect((await deliver(paid)).status).to.equal(200);
        await webhookDone(paid.eventId);
      }
      const member = (await User.findById(user.id).lean())!;
      expect(member.plan, `webhook first: ${webhookFirst}`).to.equal('gold');
      expect(member.membershipPaymentIds).to.have.length(1);
      expectMonthsAfter(member.planExpiresAt, started, 1);
    }
  });

  it('records an unknown order for admins and answers 2xx; a failed payment alerts them', async () => {
    const rz = await razorpayStandIn();
    const stranger = rz.webhook('payment.captured', {
      payment: { id: 'pay_elsewhere', order_id: 'order_elsewhere', amount: 100, currency: 'INR', status: 'captured' },
    });
    expect((await deliver(stranger)).status).to.equal(200);
    await eventually(async () => Boolean((await WebhookEvent.findById(stranger.eventId).lean())?.outcome));
    expect((await WebhookEvent.findById(stranger.eventId).lean())?.outcome).to.equal('unknown_order');
    expect(await AuditRecord.countDocuments({ action: 'webhook.unknown_order', 'detail.orderId': 'order_elsewhere' })).to.equal(
      1,
    );

    const user = await signupUser();
    const created = await order(user);
    const failed = rz.pay(created.orderId, 'failed', { error_description: 'Card declined by bank' });
    await deliver(await paymentEvent('payment.failed', failed));
    await paymentWhen(created.paymentId, (p) => p.status === 'failed');
    await waitForMail('alerts@devtinder.test', /Payment failed: gold/);
    // A second attempt on the same order succeeds: failed is not final.
    expect((await verify(user, rz.checkout(rz.pay(created.orderId)))).status).to.equal(200);
    expect((await Payment.findById(created.paymentId).lean())!.status).to.equal('captured');
  });

  it('a signed event for less money or another currency than the order grants nothing and is kept for admins', async () => {
    const rz = await razorpayStandIn();
    const user = await signupUser();
    const created = await order(user);
    const attempt = rz.pay(created.orderId, 'captured');
    const shortHook = await paymentEvent('payment.captured', { ...attempt, amount: 100 });
    const dollarsHook = await paymentEvent('payment.captured', { ...attempt, currency: 'USD' });
    const short = await deliver(shortHook);
    const dollars = await deliver(dollarsHook);
    expect([short.status, dollars.status]).to.deep.equal([200, 200]);
    expect([await webhookDone(shortHook.eventId), await webhookDone(dollarsHook.eventId)]).to.deep.equal([
      'mismatch',
      'mismatch',
    ]);
    const records = await AuditRecord.find({ paymentId: created.paymentId, action: 'webhook.mismatch' }).sort({ _id: 1 }).lean();
    expect(records.map((r) => [r.detail?.amount, r.detail?.currency, r.requestId])).to.have.deep.members([
      [100, 'INR', short.headers['x-request-id']],
      [49900, 'USD', dollars.headers['x-request-id']],
    ]);
    expect((await Payment.findById(created.paymentId).lean())!.status).to.equal('created');
    expect((await User.findById(user.id).lean())!.plan).to.equal('free');
  });

  it('a payment that comes through after its account was deleted is refunded in full, not granted', async () => {
    const { rz, user, created } = await orderThenDelete('gold');
    // Checkout was still open in another tab.
    const attempt = rz.pay(created.orderId, 'captured');
    const hook = await paymentEvent('payment.captured', attempt);
    expect((await deliver(hook)).status).to.equal(200);
    await webhookDone(hook.eventId);
    await paymentWhen(created.paymentId, (p) => Boolean(p.refundRequestedAt));
    // Razorpay retries with a new event id; the reconcile job passes by: still one refund.
    const again = await paymentEvent('payment.captured', attempt);
    await deliver(again);
    await webhookDone(again.eventId);
    await reconcilePayments(new Date(Date.now() + 20 * 60_000));
    expect(refundCalls(rz, attempt.id)).to.equal(1);
    expect(rz.refunds.filter((r) => r.payment_id === attempt.id).map((r) => r.amount)).to.deep.equal([49900]);
    expect((await Payment.findById(created.paymentId).lean())!.refundId).to.equal(rz.refunds.at(-1)!.id);
    expect((await User.findById(user.id).lean())!.plan).to.equal('free');
    expect(await AuditRecord.countDocuments({ paymentId: created.paymentId, action: 'payment.refund_requested' })).to.equal(1);
    await waitForMail('alerts@devtinder.test', /Payment refund requested: account deleted: gold/);
    expect(await adminMailsAbout(created.paymentId)).to.deep.equal([
      'Payment refund requested: account deleted: gold, 49900 INR',
    ]);
    // Razorpay confirms: recorded as any refund.
    const refund = rz.refunds.find((r) => r.payment_id === attempt.id)!;
    await deliver(rz.webhook('refund.processed', { refund, payment: { ...attempt, status: 'refunded' } }));
    await paymentWhen(created.paymentId, (p) => p.status === 'refunded' && p.refundedAmount === 49900);
    expect((await User.findById(user.id).lean())!.plan).to.equal('free');
  });

  it('a refund the gateway refuses is tried again by the job, and left to an admin after the last try', async () => {
    const { rz, user, created } = await orderThenDelete('gold');
    const attempt = rz.pay(created.orderId, 'captured');
    // Razorpay refuses the refund (as it would one over what is left, or keys without the right).
    rz.payments.get(attempt.id)!.status = 'failed';
    const hook = await paymentEvent('payment.captured', { ...attempt, status: 'captured' });
    await deliver(hook);
    await webhookDone(hook.eventId);
    await eventually(async () => refundCalls(rz, attempt.id) === 1, 3000, 'the first try');
    // The job tries again, one try per run, until the last; then nothing more.
    for (let run = 1; run <= REFUND_TRIES + 1; run++) await reconcilePayments(new Date(Date.now() + run * 20 * 60_000));
    expect(refundCalls(rz, attempt.id)).to.equal(REFUND_TRIES);
    await waitForMail('alerts@devtinder.test', /Payment not refunded: account deleted, refund it by hand: gold/);
    expect(await adminMailsAbout(created.paymentId)).to.have.length(1);
    const stored = (await Payment.findById(created.paymentId).lean())!;
    expect([stored.refundTries, stored.refundId ?? null, stored.refundRequestedAt ?? null]).to.deep.equal([
      REFUND_TRIES,
      null,
      null,
    ]);
    expect((await User.findById(user.id).lean())!.plan).to.equal('free');
  });

  it('a refund that fails at the gateway after it was accepted is tried again; one made elsewhere goes to the admin', async () => {
    const { rz, user, created } = await orderThenDelete('gold');
    const attempt = rz.pay(created.orderId, 'captured');
    const hook = await paymentEvent('payment.captured', attempt);
    await deliver(hook);
    await webhookDone(hook.eventId);
    await paymentWhen(created.paymentId, (p) => Boolean(p.refundId));
    const first = (await Payment.findById(created.paymentId).lean())!.refundId!;
    // Accepted, then not paid out (the customer's bank refused it): Razorpay says so later.
    rz.refunds.find((r) => r.id === first)!.status = 'failed';
    const failed = rz.webhook('refund.failed', { refund: { ...rz.refunds.find((r) => r.id === first)! }, payment: attempt });
    expect((await deliver(failed)).status).to.equal(200);
    await webhookDone(failed.eventId);
    expect((await WebhookEvent.findById(failed.eventId).lean())!.outcome).to.equal('retry');
    const afterFailure = (await Payment.findById(created.paymentId).lean())!;
    expect([afterFailure.refundId ?? null, afterFailure.refundRequestedAt ?? null, afterFailure.status]).to.deep.equal([
      null,
      null,
      'captured',
    ]);
    // The job's next run tries again, in full, and stores the new refund.
    await reconcilePayments(new Date(Date.now() + 20 * 60_000));
    expect(refundCalls(rz, attempt.id)).to.equal(2);
    const second = (await Payment.findById(created.paymentId).lean())!.refundId;
    expect(second).to.be.a('string').and.not.equal(first);
    expect(rz.refunds.find((r) => r.id === second)!.amount).to.equal(49900);
    // The same news again (Razorpay delivers more than once) clears nothing and tells nobody: the new refund stands.
    await deliver({ ...failed, eventId: `${failed.eventId}-again` });
    await webhookDone(`${failed.eventId}-again`);
    expect((await WebhookEvent.findById(`${failed.eventId}-again`).lean())!.outcome).to.equal('known');
    expect((await Payment.findById(created.paymentId).lean())!.refundId).to.equal(second);
    expect(refundCalls(rz, attempt.id)).to.equal(2);

    // A refund made in the dashboard of someone else's payment fails: only an admin can redo it.
    const other = await signupUser();
    const paid = await order(other);
    const otherAttempt = rz.pay(paid.orderId, 'captured');
    const captured = await paymentEvent('payment.captured', otherAttempt);
    await deliver(captured);
    await webhookDone(captured.eventId);
    const dashboard = rz.webhook('refund.failed', {
      refund: { id: 'rfnd_dashboard1', entity: 'refund', payment_id: otherAttempt.id, amount: 10000, status: 'failed' },
      payment: otherAttempt,
    });
    await deliver(dashboard);
    await webhookDone(dashboard.eventId);
    expect((await WebhookEvent.findById(dashboard.eventId).lean())!.outcome).to.equal('alerted');
    const dashboardAgain = { ...dashboard, eventId: `${dashboard.eventId}-again` };
    await deliver(dashboardAgain);
    expect(await webhookDone(dashboardAgain.eventId)).to.equal('known');
    await waitForMail('alerts@devtinder.test', /Payment refund failed at the gateway, refund it by hand: gold/);
    expect(await adminMailsAbout(paid.paymentId)).to.deep.equal([
      'Payment succeeded: gold, 49900 INR',
      'Payment refund failed at the gateway, refund it by hand: gold, 49900 INR',
    ]);
    const kept = (await Payment.findById(paid.paymentId).lean())!;
    expect([kept.status, kept.refundedAmount]).to.deep.equal(['captured', 0]);
    expect((await User.findById(other.id).lean())!.plan).to.equal('gold');
    const audited = await AuditRecord.find({
      action: 'payment.refund_failed',
      paymentId: { $in: [created.paymentId, paid.paymentId] },
    })
      .sort({ _id: 1 })
      .lean();
    expect(audited.map((r) => [String(r.paymentId), r.detail?.refundId, r.detail?.retried])).to.deep.equal([
      [String(created.paymentId), first, true],
      [String(paid.paymentId), 'rfnd_dashboard1', false],
    ]);
    expect((await User.findById(user.id).lean())!.plan).to.equal('free');
  });

  it("a refund's failure reported while its try is still in flight is acted on once the try has stored it", async () => {
    const { created, refundFailure: failed } = await refundInFlight('rfnd_inflight1');
    expect((await deliver(failed)).status).to.equal(200);
    await eventually(async () => (await WebhookEvent.findById(failed.eventId).lean()) !== null);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await WebhookEvent.findById(failed.eventId).lean())!.processedAt ?? null).to.equal(null);
    expect(await adminMailsAbout(created.paymentId)).to.deep.equal([]);
    // The try stores its refund; the job then processes the held event as ours: tried again, nobody told.
    await Payment.updateOne({ _id: created.paymentId }, { $set: { refundId: 'rfnd_inflight1' } });
    await finishStoredEvents(new Date(Date.now() + 2 * 60_000));
    expect((await WebhookEvent.findById(failed.eventId).lean())!.outcome).to.equal('retry');
    const stored = (await Payment.findById(created.paymentId).lean())!;
    expect([stored.refundId ?? null, stored.refundRequestedAt ?? null, stored.failedRefundIds]).to.deep.equal([
      null,
      null,
      ['rfnd_inflight1'],
    ]);
    expect(await adminMailsAbout(created.paymentId)).to.deep.equal([]);
  });

  it('an event whose work keeps failing is tried later and later, the admin told once it has failed five times', async () => {
    // Held: a refund's failure reported while the try that asked for it has not stored its id.
    const { created, refundFailure: held } = await refundInFlight('rfnd_stuck1');
    const event = async () => (await WebhookEvent.findById(held.eventId).lean())!;
    const stuckMails = async () =>
      (await mailsTo('alerts@devtinder.test')).filter((m) => m.body.text?.includes(held.eventId)).map((m) => m.subject);
    const receivedAt = Date.now();
    expect((await deliver(held)).status).to.equal(200);
    await eventually(async () => (await WebhookEvent.findById(held.eventId).lean())?.tries === 1, 10_000, 'the first try failed');
    const first = await event();
    expect(first.processedAt ?? null).to.equal(null);
    expect(first.lastError).to.match(/in flight/);
    expect(first.nextTryAt!.getTime()).to.be.closeTo(receivedAt + 60_000, 5_000);
    // A run before it is due leaves it; each due run that fails again doubles the wait (1, 2, 4, 8 minutes).
    let clock = first.nextTryAt!.getTime();
    await finishStoredEvents(new Date(clock - 1000));
    expect((await event()).tries).to.equal(1);
    for (const [tries, wait] of [
      [2, 2],
      [3, 4],
      [4, 8],
    ] as const) {
      await finishStoredEvents(new Date(clock));
      const now = await event();
      expect([now.tries, now.nextTryAt!.getTime() - clock]).to.deep.equal([tries, wait * 60_000]);
      clock = now.nextTryAt!.getTime();
    }
    expect(await stuckMails()).to.deep.equal([]);
    // The fifth failure tells the admin (the mail names the event), and it is audited; SES down, nobody is told yet.
    await mailOutage(true);
    try {
      await finishStoredEvents(new Date(clock));
    } finally {
      await mailOutage(false);
    }
    expect([(await event()).tries, (await event()).stuckToldAt ?? null]).to.deep.equal([5, null]);
    expect(await AuditRecord.countDocuments({ action: 'webhook.stuck', 'detail.eventId': held.eventId })).to.equal(0);
    // A process that claimed the telling and stopped before the mail: nobody tells while its claim
    // is fresh, the next failure after it lapses does.
    await WebhookEvent.updateOne({ _id: held.eventId }, { $set: { stuckClaimedAt: new Date() } });
    clock = (await event()).nextTryAt!.getTime();
    await finishStoredEvents(new Date(clock));
    expect([(await event()).tries, (await event()).stuckToldAt ?? null]).to.deep.equal([6, null]);
    expect(await stuckMails()).to.deep.equal([]);
    await WebhookEvent.updateOne({ _id: held.eventId }, { $set: { stuckClaimedAt: new Date(Date.now() - 6 * 60_000) } });
    clock = (await event()).nextTryAt!.getTime();
    await finishStoredEvents(new Date(clock));
    const told = await event();
    expect([told.tries, told.stuckToldAt instanceof Date]).to.deep.equal([7, true]);
    expect(told.nextTryAt!.getTime() - clock).to.equal(60 * 60_000);
    expect(await stuckMails()).to.deep.equal(['Payment event stuck: refund.failed']);
    expect(await AuditRecord.countDocuments({ action: 'webhook.stuck', 'detail.eventId': held.eventId })).to.equal(1);
    // Later failures wait an hour at most, and tell nobody again.
    clock = told.nextTryAt!.getTime();
    await finishStoredEvents(new Date(clock));
    expect([(await event()).tries, (await event()).nextTryAt!.getTime() - clock]).to.deep.equal([8, 60 * 60_000]);
    expect(await stuckMails()).to.have.length(1);
    // The try stores its refund: the next due run does the event's work.
    await Payment.updateOne({ _id: created.paymentId }, { $set: { refundId: 'rfnd_stuck1' } });
    await finishStoredEvents(new Date((await event()).nextTryAt!.getTime()));
    expect([(await event()).outcome, (await event()).processedAt instanceof Date]).to.deep.equal(['retry', true]);
  });

  it("an event still failing a week after receipt is given up by the job; an admin's retry tries it, once done never again", async () => {
    const { created, refundFailure: held } = await refundInFlight('rfnd_given1');
    const event = async () => (await WebhookEvent.findById(held.eventId).lean())!;
    const recorded = (action: string) => AuditRecord.countDocuments({ action, 'detail.eventId': held.eventId });
    expect((await deliver(held)).status).to.equal(200);
    await eventually(async () => (await WebhookEvent.findById(held.eventId).lean())?.tries === 1, 10_000, 'the first try failed');
    // Received a week ago (the tries since not shown): the job's try, failing, is its last; it is given up, on the record once.
    await WebhookEvent.updateOne(
      { _id: held.eventId },
      { $set: { receivedAt: new Date(Date.now() - GIVE_UP_AFTER_MS), nextTryAt: new Date() } },
    );
    const now = new Date();
    await finishStoredEvents(now);
    const given = await event();
    expect([given.tries, given.gaveUpAt?.getTime(), given.nextTryAt ?? null]).to.deep.equal([2, now.getTime(), null]);
    expect(await recorded('webhook.given_up')).to.equal(1);
    // Given up before its fifth failure (the job could not get to it for days): the admin is told all the same.
    expect(
      (await mailsTo('alerts@devtinder.test')).filter((m) => m.body.text?.includes(held.eventId)).map((m) => m.subject),
    ).to.deep.equal(['Payment event stuck: refund.failed']);
    // No run after tries it again, nor makes it due as one stored without a time.
    await finishStoredEvents(new Date(now.getTime() + 30 * 86_400_000));
    expect([(await event()).tries, (await event()).nextTryAt ?? null]).to.deep.equal([2, null]);

    const [admin, mod] = await Promise.all([staffUser('admin'), staffUser('moderator')]);
    const retry = (who: typeof admin, id = held.eventId) =>
      api().then((a) => a.post(`/api/v1/admin/payments/events/${encodeURIComponent(id)}/retry`).set(as(who)));
    const refusals = await Promise.all([retry(mod), retry(admin, 'evt_nobody_sent'), retry(admin, 'x'.repeat(201))]);
    expect(refusals.map((r) => [r.status, r.body.error?.code])).to.deep.equal([
      [403, 'INSUFFICIENT_ROLE'],
      [404, 'NOT_FOUND'],
      [400, 'VALIDATION_FAILED'],
    ]);
    expect((await event()).tries).to.equal(2);
    // Another try under way (the job's, a second admin's) holds it: the retry is refused, and tries nothing.
    await WebhookEvent.updateOne({ _id: held.eventId }, { $set: { tryingUntil: new Date(Date.now() + 60_000) } });
    const busy = await retry(admin);
    expect([busy.status, busy.body.error?.code, (await event()).tries]).to.deep.equal([409, 'CONCURRENT_UPDATE', 2]);
    await WebhookEvent.updateOne({ _id: held.eventId }, { $set: { tryingUntil: new Date(Date.now() - 1000) } });
    // Still held: the admin's try fails too, is counted, and leaves it given up (recorded as given up once).
    const failed = await retry(admin);
    expect(failed.status).to.equal(200);
    expectDocumented(failed, 'post', '/api/v1/admin/payments/events/{eventId}/retry');
    expect(failed.body.event).to.deep.include({
      id: held.eventId,
      event: 'refund.failed',
      tries: 3,
      processedAt: null,
      nextTryAt: null,
    });
    expect(failed.body.event.lastError).to.match(/in flight/);
    // When the job gave up stays what it was.
    expect(failed.body.event.gaveUpAt).to.equal(now.toISOString());
    expect(await recorded('webhook.given_up')).to.equal(1);
    // The try stores its refund: the admin's retry does the work; a second click does nothing again.
    await Payment.updateOne({ _id: created.paymentId }, { $set: { refundId: 'rfnd_given1' } });
    const done = await retry(admin);
    expect([done.status, done.body.event.outcome, typeof done.body.event.processedAt]).to.deep.equal([200, 'retry', 'string']);
    const again = await retry(admin);
    expect(again.body.event).to.deep.equal(done.body.event);
    // Each try the admin made is on the record as theirs, with what came of it.
    const retries = await AuditRecord.find({ action: 'webhook.retried', 'detail.eventId': held.eventId }).sort({ at: 1 }).lean();
    expect(retries.map((r) => [r.actorId?.toString(), (r.detail as { outcome: string | null }).outcome])).to.deep.equal([
      [admin.id, null],
      [admin.id, 'retry'],
    ]);
    expect((await event()).tryingUntil ?? null).to.equal(null);
    // The work it did is the webhook's (as the payment's history shows it), the admin named beside it.
    const work = await AuditRecord.findOne({ action: 'payment.refund_failed', paymentId: created.paymentId }).lean();
    expect([work?.actor, work?.actorId?.toString()]).to.deep.equal(['webhook', admin.id]);
  });

  it('an event stored unprocessed by the release before (no time for its next try) is still done by the job', async () => {
    const rz = await razorpayStandIn();
    const user = await signupUser();
    const created = await order(user);
    const hook = await paymentEvent('payment.captured', rz.pay(created.orderId, 'captured'));
    // As the release before stored it (migrations run before the reload), its own try lost.
    await WebhookEvent.collection.insertOne({
      _id: hook.eventId as never,
      event: 'payment.captured',
      body: hook.body,
      receivedAt: new Date(Date.now() - 2 * 60_000),
    });
    await finishStoredEvents();
    expect((await WebhookEvent.findById(hook.eventId).lean())!.outcome).to.equal('applied');
    expect((await User.findById(user.id).lean())!.plan).to.equal('gold');
  });

  it("a failed refund the admin's mail could not be sent about is not taken as told: tried again later and later, told once", async () => {
    const rz = await razorpayStandIn();
    const buyer = await signupUser();
    const paid = await order(buyer);
    const attempt = rz.pay(paid.orderId, 'captured');
    const captured = await paymentEvent('payment.captured', attempt);
    await deliver(captured);
    await webhookDone(captured.eventId);
    await waitForMail('alerts@devtinder.test', /Payment succeeded: gold/);
    const failed = rz.webhook('refund.failed', {
      refund: { id: 'rfnd_unmailed1', entity: 'refund', payment_id: attempt.id, amount: 10000, status: 'failed' },
      payment: attempt,
    });
    const again = { ...failed, eventId: `${failed.eventId}-again` };
    const alert = () => RefundAlert.findById('rfnd_unmailed1').lean();
    /** Nobody told: both events wait, nothing is marked or audited. */
    const untold = async () => {
      for (const id of [failed.eventId, again.eventId]) {
        expect((await WebhookEvent.findById(id).lean())?.processedAt ?? null, id).to.equal(null);
      }
      expect((await Payment.findById(paid.paymentId).lean())!.failedRefundIds ?? []).to.deep.equal([]);
      expect(await AuditRecord.countDocuments({ action: 'payment.refund_failed', paymentId: paid.paymentId })).to.equal(0);
    };
    /** A later try falls due (as a minute or an hour passing would). */
    const due = () => RefundAlert.updateOne({ _id: 'rfnd_unmailed1' }, { $set: { nextTryAt: new Date(Date.now() - 1000) } });
    await mailOutage(true);
    try {
      // SES refuses (the SDK's own retries included): one try counted, the next a minute away.
      expect((await deliver(failed)).status).to.equal(200);
      await eventually(async () => (await alert())?.tries === 1, 10_000, 'the first try failed');
      const first = (await alert())!;
      expect([first.claimedAt, first.toldAt]).to.deep.equal([null, null]);
      expect(first.nextTryAt!.getTime()).to.be.closeTo(Date.now() + 60_000, 10_000);
      await untold();
      // The repeat, once due, tries the mail itself and fails the same way: the wait doubles.
      await due();
      expect((await deliver(again)).status).to.equal(200);
      await eventually(async () => (await alert())?.tries === 2, 10_000, 'the second try failed');
      expect((await alert())!.nextTryAt!.getTime()).to.be.closeTo(Date.now() + 120_000, 10_000);
      await untold();
    } finally {
      await mailOutage(false);
    }
    // Mail is back, but the next try is not due: the job's run sends nothing yet.
    await finishStoredEvents(new Date(Date.now() + 2 * 60_000));
    expect((await alert())!.tries).to.equal(2);
    await untold();
    // Due: the run tells the admin once, and the repeat is known.
    await due();
    // (The job's next run, ten minutes on: the events, failed twice, wait for it too.)
    await finishStoredEvents(new Date(Date.now() + 10 * 60_000));
    const outcomes = await WebhookEvent.find({ _id: { $in: [failed.eventId, `${failed.eventId}-again`] } }).lean();
    expect(outcomes.map((e) => e.outcome).sort()).to.deep.equal(['alerted', 'known']);
    await waitForMail('alerts@devtinder.test', /Payment refund failed at the gateway, refund it by hand: gold/);
    expect(await adminMailsAbout(paid.paymentId)).to.deep.equal([
      'Payment succeeded: gold, 49900 INR',
      'Payment refund failed at the gateway, refund it by hand: gold, 49900 INR',
    ]);
    expect((await Payment.findById(paid.paymentId).lean())!.failedRefundIds).to.deep.equal(['rfnd_unmailed1']);
    expect(await AuditRecord.countDocuments({ action: 'payment.refund_failed', paymentId: paid.paymentId })).to.equal(1);
  });

  it('a payment of a deleted account only authorized at first is refunded once captured', async () => {
    const { rz, user, created } = await orderThenDelete('premium');
    const attempt = rz.pay(created.orderId, 'authorized');
    const authorized = await paymentEvent('payment.authorized', attempt);
    await deliver(authorized);
    await webhookDone(authorized.eventId);
    // Runs of the job while it is only authorized spend no try.
    for (let run = 1; run <= REFUND_TRIES + 1; run++) await reconcilePayments(new Date(Date.now() + run * 20 * 60_000));
    expect((await Payment.findById(created.paymentId).lean())!.refundTries ?? 0).to.equal(0);
    // Captured more than a week after it was authorized.
    await Payment.updateOne({ _id: created.paymentId }, { $set: { grantedAt: new Date(Date.now() - 8 * 86_400_000) } });
    attempt.status = 'captured';
    const captured = await paymentEvent('payment.captured', attempt);
    await deliver(captured);
    await webhookDone(captured.eventId);
    // Nothing can be given back before the capture; the job that finishes grants does it after.
    expect(refundCalls(rz, attempt.id)).to.equal(0);
    await reconcilePayments(new Date(Date.now() + 20 * 60_000));
    expect(refundCalls(rz, attempt.id)).to.equal(1);
    expect(rz.refunds.filter((r) => r.payment_id === attempt.id).map((r) => r.amount)).to.deep.equal([99900]);
    const user_ = (await User.findById(user.id).lean())!;
    expect([user_.plan, user_.verifiedBadge ?? false]).to.deep.equal(['free', false]);
  });

  it('a refund of another attempt on the same order takes nothing back from the payment that paid', async () => {
    const rz = await razorpayStandIn();
    const user = await signupUser();
    const created = await order(user, 'gold');
    const paid = rz.pay(created.orderId, 'captured');
    expect((await verify(user, rz.checkout(paid))).status).to.equal(200);
    // A second attempt on the order, captured late and refunded in full by Razorpay itself.
    const second = rz.pay(created.orderId, 'captured');
    const hook = rz.webhook('refund.processed', {
      refund: { id: 'rfnd_dup', payment_id: second.id, amount: second.amount },
      payment: second,
    });
    await deliver(hook);
    expect(await webhookDone(hook.eventId)).to.equal('other_payment');
    const stored = (await Payment.findById(created.paymentId).lean())!;
    expect([stored.status, stored.refundedAmount ?? 0, stored.revokedAt ?? null]).to.deep.equal(['captured', 0, null]);
    expect((await User.findById(user.id).lean())!.plan).to.equal('gold');
    expect(
      await AuditRecord.countDocuments({ paymentId: created.paymentId, action: 'webhook.refund_of_other_payment' }),
    ).to.equal(1);
  });

  it('a full refund ends Premium and its blue tick; a partial one is only recorded', async () => {
    const rz = await razorpayStandIn();
    const user = await signupUser();
    const created = await order(user, 'premium');
    const attempt = rz.pay(created.orderId, 'captured');
    expect((await verify(user, rz.checkout(attempt))).status).to.equal(200);
    expect((await User.findById(user.id).lean())!.verifiedBadge).to.equal(true);

    const refund = (id: string, amount: number) =>
      rz.webhook('refund.processed', { refund: { id, payment_id: attempt.id, amount }, payment: attempt });
    const part = refund('rfnd_part', 10_000);
    await deliver(part);
    await deliver({ ...refund('rfnd_part', 10_000), eventId: `${part.eventId}-again` }); // same refund, new event id
    await paymentWhen(created.paymentId, (p) => p.refundedAmount === 10_000);
    expect((await User.findById(user.id).lean())!.plan).to.equal('premium');

    await deliver(refund('rfnd_rest', 99_900 - 10_000));
    await paymentWhen(created.paymentId, (p) => p.status === 'refunded' && Boolean(p.revokedAt));
    // The payment is marked first, then the membership written: wait for the second.
    let after = (await User.findById(user.id).lean())!;
    await eventually(async () => {
      after = (await User.findById(user.id).lean())!;
      return after.plan === 'free';
    });
    expect([after.plan, after.verifiedBadge, after.planExpiresAt]).to.deep.equal(['free', false, undefined]);
    const membership = await (await api()).get('/api/v1/payments/membership').set(as(user)).expect(200);
    expect(membership.body.membership).to.include({ plan: 'free', badge: false, expiresAt: null });
  });
});
