import { countLater, recordEvent, recordMilestone, recordRevenue } from '../analytics/record.js';
import { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { Payment, PAYMENT_STATUSES, STATUS_RANK, type PaymentStatus } from '../../models/payment.model.js';
import { User } from '../../models/user.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { planInForce, planRank } from '../connections/quota.service.js';
import { audit, type AuditSource, bySource } from '../audit.service.js';
import type { GatewayPayment } from './gateway.js';
import { grantMembership, membershipOf, revokeMembership } from './membership.service.js';
import { paymentGateway } from './payment-gateway.js';
import { alertAdmin } from './admin-alert.js';
import { refundForDeletedAccount } from './deleted-account-refund.js';
import { checkoutSignature, signatureMatches } from './signature.js';
import { checkoutScriptUrl } from './local-checkout.js';
import { nextCursorOf, olderThan } from '../page-cursor.js';
import { notifyLater } from '../notifications/notification.service.js';

export type PaidPlan = 'gold' | 'premium';
export type PaymentDoc = NonNullable<Awaited<ReturnType<typeof loadPayment>>>;

const loadPayment = (filter: Record<string, unknown>) => Payment.findOne(filter).lean();

/** Every plan on sale: its period, price from config, and what it grants. */
export function listPlans() {
  return (['gold', 'premium'] as const).flatMap((plan) =>
    Object.entries(config.payments.prices[plan]).map(([months, amount]) => ({
      plan,
      months: Number(months),
      amount,
      currency: config.payments.currency,
      grants: config.plans[plan],
    })),
  );
}

const gatewayFailed = (err: unknown) => {
  logger.error('payment gateway call failed', { error: errorMessage(err) });
  return new AppError('PAYMENT_GATEWAY_ERROR', 'The payment service did not answer; try again');
};

/**
 * A Razorpay order for a plan and period. The amount comes from config only; the receipt
 * is our payment's id and the notes name the user and plan, so either side can find the other.
 */
export async function createOrder(userId: string, input: { plan: PaidPlan; months: number }, requestId: string | undefined) {
  const amount = config.payments.prices[input.plan][input.months];
  if (!amount) throw new AppError('UNKNOWN_PLAN', `No ${input.plan} plan for ${input.months} month(s)`);
  const user = await User.findById(userId, { firstName: 1, lastName: 1, email: 1, phone: 1, plan: 1, planExpiresAt: 1 }).lean();
  if (!user) throw notFound('User');
  const current = planInForce(user);
  if (planRank(current) > planRank(input.plan)) {
    throw new AppError('PLAN_DOWNGRADE', `Your ${current} plan runs until ${user.planExpiresAt!.toISOString()}`);
  }
  const _id = new Types.ObjectId();
  const currency = config.payments.currency;
  const order = await paymentGateway()
    .createOrder({ amount, currency, receipt: String(_id), notes: { userId, plan: input.plan, months: String(input.months) } })
    .catch((err: unknown) => {
      throw gatewayFailed(err);
    });
  const now = new Date();
  await Payment.create({
    _id,
    userId,
    plan: input.plan,
    months: input.months,
    amount,
    currency,
    orderId: order.id,
    status: 'created',
    history: [{ status: 'created', at: now, source: 'checkout' }],
  });
  countLater(() => recordEvent('order', { userId: String(user._id) }));
  await audit({
    userId: user._id,
    paymentId: _id,
    action: 'payment.created',
    actor: 'checkout',
    requestId,
    detail: { orderId: order.id, amount },
  });
  return {
    paymentId: String(_id),
    keyId: config.payments.keyId,
    checkoutScript: checkoutScriptUrl(),
    orderId: order.id,
    amount,
    currency,
    name: 'DevTinder',
    description: `${input.plan} for ${input.months} month${input.months > 1 ? 's' : ''}`,
    prefill: { name: `${user.firstName} ${user.lastName}`, email: user.email, contact: user.phone },
  };
}

/**
 * Checkout's answer: the signature (HMAC of order|payment with the key secret) must match
 * for an order of this user's; then Razorpay says what the payment is, and that is applied.
 * Anything wrong is refused before a single write.
 */
export async function verifyCheckout(
  userId: string,
  input: { razorpay_order_id: string; razorpay_payment_id: string; razorpay_signature: string },
  requestId: string | undefined,
) {
  const payment = await loadPayment({ orderId: input.razorpay_order_id, userId });
  // Another user's order answers as a missing one.
  if (!payment) throw notFound('Order');
  const expected = checkoutSignature(config.payments.keySecret, payment.orderId, input.razorpay_payment_id);
  if (!signatureMatches(expected, input.razorpay_signature)) {
    throw new AppError('INVALID_SIGNATURE', 'The payment signature does not match');
  }
  // This payment already applied and final (captured, or since refunded): what is stored is
  // the answer. Else each replay of one checkout's answer was a call to Razorpay's API.
  if (payment.paymentId === input.razorpay_payment_id && (payment.status === 'captured' || payment.status === 'refunded')) {
    return { payment: paymentView(payment), membership: await membershipOf(userId) };
  }
  const remote = await paymentGateway()
    .fetchPayment(input.razorpay_payment_id)
    .catch((err: unknown) => {
      throw gatewayFailed(err);
    });
  if (!sameMoney(payment, remote)) throw new AppError('PAYMENT_MISMATCH', 'The payment is not for this order');
  await applyGatewayPayment(payment, remote, { actor: 'checkout', requestId });
  return { payment: paymentView((await Payment.findById(payment._id).lean())!), membership: await membershipOf(userId) };
}

/** Whether a payment Razorpay reports is for this order, in full. */
export const sameMoney = (payment: PaymentDoc, remote: Pick<GatewayPayment, 'orderId' | 'amount' | 'currency'>) =>
  remote.orderId === payment.orderId && remote.amount === payment.amount && remote.currency === payment.currency;

/** What Razorpay says of a payment attempt, applied: moves the status forward, grants once paid. */
export async function applyGatewayPayment(payment: PaymentDoc, remote: GatewayPayment, source: AuditSource): Promise<void> {
  if (remote.status === 'authorized' || remote.status === 'captured') {
    await advance(payment, remote.status, source, { paymentId: remote.id });
    await grantFor(payment._id, source);
  } else if (remote.status === 'failed') {
    await advance(payment, 'failed', source, {
      paymentId: remote.id,
      ...(remote.errorDescription && { failureReason: remote.errorDescription.slice(0, 300) }),
    });
  }
}

/**
 * Moves a payment to `next` only from a lower status, with the change in its history and
 * the audit trail; false when it was already there or beyond (a late or repeated report).
 */
export async function advance(
  payment: PaymentDoc,
  next: PaymentStatus,
  source: AuditSource,
  extra: { paymentId?: string; failureReason?: string } = {},
): Promise<boolean> {
  const lower = PAYMENT_STATUSES.filter((s) => STATUS_RANK[s] < STATUS_RANK[next]);
  const at = new Date();
  const res = await Payment.updateOne(
    { _id: payment._id, status: { $in: lower } },
    { $set: { status: next, ...extra }, $push: { history: { status: next, at, source: source.actor } } },
  );
  if (res.modifiedCount !== 1) return false;
  await audit({ userId: payment.userId, paymentId: payment._id, action: `payment.${next}`, ...bySource(source), detail: extra });
  if (next === 'failed') {
    void alertAdmin(payment, 'failed', extra.failureReason);
    notifyLater({ userId: String(payment.userId), type: 'payment_failed', target: { kind: 'payment', id: String(payment._id) } });
  }
  return true;
}

/** Grants the membership of a paid payment once: the first caller claims `grantedAt`. */
async function grantFor(paymentId: Types.ObjectId, source: AuditSource): Promise<void> {
  const claimed = await Payment.findOneAndUpdate(
    { _id: paymentId, grantedAt: null, status: { $in: ['authorized', 'captured'] } },
    { $set: { grantedAt: new Date() } },
    { returnDocument: 'after' },
  ).lean();
  if (!claimed) return;
  // Counted once per payment, by the claim: revenue by plan, and the payer's first payment.
  countLater(() => recordEvent('payment', { userId: String(claimed.userId) }));
  countLater(() => recordMilestone(String(claimed.userId), 'payment'));
  countLater(() => recordRevenue(claimed.plan, claimed.amount, false));
  await finishGrant(claimed, source);
}

/** The membership change of a claimed payment (also the job's retry when a process died in between). */
export async function finishGrant(payment: PaymentDoc, source: AuditSource): Promise<void> {
  const result = await grantMembership(payment, source);
  // An account deleted before its payment came through gets its money back, not a plan.
  if (result === 'deleted') return refundForDeletedAccount(payment, source);
  if (!result) return;
  const { already, ...granted } = result;
  await Payment.updateOne({ _id: payment._id }, { $set: { granted } });
  // A retry after a crash only completes the record: no second mail to the admin.
  if (!already) void alertAdmin(payment, 'succeeded');
}

/** A refund Razorpay processed, recorded once by its id; once refunds cover the amount, the membership it bought ends. */
export async function recordRefund(
  payment: PaymentDoc,
  refund: { id: string; amount: number },
  source: AuditSource,
): Promise<void> {
  const res = await Payment.updateOne(
    { _id: payment._id, 'refunds.refundId': { $ne: refund.id } },
    {
      $push: { refunds: { refundId: refund.id, amount: refund.amount, at: new Date() } },
      $inc: { refundedAmount: refund.amount },
    },
  );
  if (res.modifiedCount === 1) {
    await audit({
      userId: payment.userId,
      paymentId: payment._id,
      action: 'payment.refund',
      ...bySource(source),
      detail: refund,
    });
    countLater(() => recordRevenue(payment.plan, refund.amount, true));
  }
  const fresh = await Payment.findById(payment._id, { refundedAmount: 1, amount: 1 }).lean();
  if (fresh && fresh.refundedAmount >= fresh.amount) {
    await advance(payment, 'refunded', source);
    await revokeMembership(payment._id, source);
  }
}

export function paymentView(p: PaymentDoc) {
  return {
    id: String(p._id),
    plan: p.plan,
    months: p.months,
    amount: p.amount,
    currency: p.currency,
    orderId: p.orderId,
    ...(p.paymentId && { razorpayPaymentId: p.paymentId }),
    status: p.status,
    history: p.history.map((h) => ({ status: h.status, at: h.at, source: h.source })),
    refundedAmount: p.refundedAmount,
    ...(p.granted && { granted: p.granted }),
    createdAt: p.createdAt,
  };
}

/** Payments newest first by cursor: one's own, or (admins) everyone's, optionally in one status. */
export async function listPayments(page: { limit: number; cursor?: string; userId?: string; status?: PaymentStatus }) {
  const payments = await Payment.find({
    ...(page.userId && { userId: page.userId }),
    ...(page.status && { status: page.status }),
    ...olderThan(page.cursor),
  })
    .sort({ _id: -1 })
    .limit(page.limit)
    .lean();
  return {
    payments: payments.map((p) => ({ ...paymentView(p), ...(page.userId ? {} : { userId: String(p.userId) }) })),
    nextCursor: nextCursorOf(payments, page.limit),
  };
}
