import { expect } from 'chai';
import { Payment } from '../../models/payment.model.js';
import { WebhookEvent } from '../../models/webhook-event.model.js';
import { api } from './app.js';
import { eventually } from './eventually.js';
import { razorpayStandIn } from './razorpay-standin.js';
import { bearer, type SignedUp } from './users.js';

export const as = (u: SignedUp) => bearer(u.accessToken);
const MONTH_MS = 28 * 86_400_000;

/** An order through the API; returns what Checkout would be opened with. */
export async function order(user: SignedUp, plan = 'gold', months = 1, extra: Record<string, unknown> = {}) {
  const res = await (
    await api()
  )
    .post('/api/v1/payments/orders')
    .set(as(user))
    .send({ plan, months, ...extra });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body as { paymentId: string; orderId: string; amount: number; currency: string; keyId: string };
}

/** Checkout's result sent to /verify, as the client does after paying. */
export async function verify(user: SignedUp, checkout: object) {
  return (await api()).post('/api/v1/payments/verify').set(as(user)).send(checkout);
}

/** Orders a plan, pays it (captured) and verifies: a member, with their order. */
export async function payFor(user: SignedUp, plan = 'gold', months = 1) {
  const rz = await razorpayStandIn();
  const created = await order(user, plan, months);
  const res = await verify(user, rz.checkout(rz.pay(created.orderId)));
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return { ...created, verified: res.body as { membership: { plan: string; expiresAt: string; badge: boolean } } };
}

/** Delivers a webhook (by default signed as Razorpay signs) and returns the response. */
export async function deliver(hook: { body: string; signature: string; eventId: string }, headers: Record<string, string> = {}) {
  return (await api())
    .post('/api/v1/payments/webhook')
    .set('content-type', 'application/json')
    .set('x-razorpay-signature', hook.signature)
    .set('x-razorpay-event-id', hook.eventId)
    .set(headers)
    .send(hook.body);
}

/** A payment event for an attempt, as Razorpay sends it. */
export async function paymentEvent(event: string, payment: object, eventId?: string) {
  return (await razorpayStandIn()).webhook(event, { payment }, eventId);
}

/** Waits until the stored payment satisfies `check` (webhook work runs just after the answer). */
export async function paymentWhen(paymentId: string, check: (p: Record<string, unknown>) => boolean): Promise<void> {
  await eventually(
    async () => {
      const payment = await Payment.findById(paymentId).lean();
      return Boolean(payment && check(payment as unknown as Record<string, unknown>));
    },
    3000,
    `payment ${paymentId} in the expected state`,
  );
}

/** Waits until a webhook delivery's work is done (it runs just after the answer); its outcome. */
export async function webhookDone(eventId: string): Promise<string | undefined> {
  let outcome: string | undefined;
  await eventually(
    async () => {
      const stored = await WebhookEvent.findById(eventId, { processedAt: 1, outcome: 1 }).lean();
      outcome = stored?.outcome ?? undefined;
      return Boolean(stored?.processedAt);
    },
    3000,
    `webhook ${eventId} processed`,
  );
  return outcome;
}

/** Roughly `months` from `from`: calendar months are 28 to 31 days. */
export function expectMonthsAfter(until: Date | string | null | undefined, from: Date, months: number) {
  const ms = new Date(until!).getTime() - from.getTime();
  expect(ms).to.be.within(months * MONTH_MS - 60_000, months * 31 * 86_400_000 + 60_000);
}
