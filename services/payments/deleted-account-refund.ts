import { Payment } from '../../models/payment.model.js';
import { RefundAlert } from '../../models/refund-alert.model.js';
import { insertedOnce } from '../../utils/duplicate-key.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { audit, type AuditSource, bySource } from '../audit.service.js';
import { alertAdmin } from './admin-alert.js';
import { paymentGateway } from './payment-gateway.js';
import type { PaymentDoc } from './payment.service.js';

/** Tries at giving a deleted account's payment back before an admin is asked to, by hand. */
export const REFUND_TRIES = 6;
// A claim this old with no refund recorded died with its process: another may take it.
const REFUND_LEASE_MS = 10 * 60_000;

/** A deleted account's payment with a refund still to try. */
export const REFUND_TO_TRY = { refundId: null, refundTries: { $not: { $gte: REFUND_TRIES } } } as const;

/**
 * Gives back in full a payment that came through after its account was deleted (a checkout
 * left open in another tab), once it is captured (an authorized payment uses no try: the
 * reconcile job comes back to it). One try at a time (a claim, taken over when its process
 * died), the refund's id stored as soon as the gateway gives it; after a refusal the job tries
 * again, up to REFUND_TRIES, then `refundsLeftToAdmins` tells the admin to refund by hand.
 * Razorpay's refund.processed webhook then records the refund as any other.
 */
export async function refundForDeletedAccount(payment: PaymentDoc, source: AuditSource): Promise<void> {
  const now = new Date();
  const claimed = await Payment.findOneAndUpdate(
    {
      _id: payment._id,
      status: 'captured',
      ...REFUND_TO_TRY,
      $or: [{ refundRequestedAt: null }, { refundRequestedAt: { $lt: new Date(now.getTime() - REFUND_LEASE_MS) } }],
    },
    { $set: { refundRequestedAt: now }, $inc: { refundTries: 1 } },
    { returnDocument: 'after' },
  ).lean();
  if (!claimed?.paymentId) return;
  let refund;
  try {
    refund = await paymentGateway().refundPayment(claimed.paymentId, claimed.amount - (claimed.refundedAmount ?? 0), {
      reason: 'account_deleted',
    });
  } catch (err) {
    await Payment.updateOne({ _id: claimed._id, refundRequestedAt: now }, { $unset: { refundRequestedAt: 1 } });
    logger.error('refund for a deleted account failed', { paymentId: String(claimed._id), error: errorMessage(err) });
    return;
  }
  await Payment.updateOne({ _id: claimed._id }, { $set: { refundId: refund.id } });
  await audit({
    userId: claimed.userId,
    paymentId: claimed._id,
    action: 'payment.refund_requested',
    ...bySource(source),
    detail: { refundId: refund.id, amount: refund.amount, reason: 'account_deleted' },
  });
  void alertAdmin(claimed, 'refund requested: account deleted', `Refund ${refund.id}; no plan was granted.`);
}

/**
 * Tells the admin of the refunds for deleted accounts the tries did not make, read from what
 * is stored (the last try's process may have died before anyone was told), past any try in
 * flight. Marked told only once the mail went: a failed one is sent again by the next run, a
 * process dying between the two at worst sends it twice. The number told.
 */
export async function refundsLeftToAdmins(now = new Date()): Promise<number> {
  const stale = new Date(now.getTime() - REFUND_LEASE_MS);
  const left = await Payment.find({
    // Equal, not at least: the claim never counts past it, and an equality is served by the index.
    refundTries: REFUND_TRIES,
    status: 'captured',
    refundId: null,
    refundAlertedAt: null,
    $or: [{ refundRequestedAt: null }, { refundRequestedAt: { $lt: stale } }],
  })
    .limit(50)
    .lean();
  let told = 0;
  for (const payment of left) {
    if (
      !(await alertAdmin(
        payment,
        'not refunded: account deleted, refund it by hand',
        `${REFUND_TRIES} refunds were refused: see the logs.`,
      ))
    )
      continue;
    await Payment.updateOne({ _id: payment._id, refundAlertedAt: null }, { $set: { refundAlertedAt: now } });
    told++;
  }
  return told;
}

/**
 * Razorpay's refund.failed: a refund it accepted and could not pay out. Ours for a deleted
 * account goes back to the job (its id cleared; the try stays counted, so the tries still end
 * with an admin's mail); any other (made in the dashboard) is the admin's to redo, told now.
 * Each failed refund is noted on the payment and acted on once.
 * Thrown while our own try is in flight (its id not stored yet), or when the admin's mail did not
 * go: the stored event is processed again by the job a minute later.
 */
export async function refundFailed(
  payment: PaymentDoc,
  refundId: string,
  refundedPaymentId: string | undefined,
  source: AuditSource,
): Promise<'retry' | 'alerted' | 'known'> {
  // Razorpay delivers an event more than once: a failure already acted on is not news.
  if (payment.failedRefundIds?.includes(refundId)) return 'known';
  const ours = await Payment.updateOne(
    { _id: payment._id, refundId },
    { $unset: { refundId: 1, refundRequestedAt: 1 }, $push: { failedRefundIds: refundId } },
  );
  const detail = { refundId, refundedPaymentId: refundedPaymentId ?? null, retried: ours.modifiedCount > 0 };
  if (ours.modifiedCount > 0) {
    await audit({ userId: payment.userId, paymentId: payment._id, action: 'payment.refund_failed', ...bySource(source), detail });
    return 'retry';
  }
  const inFlight =
    !payment.refundId && payment.refundRequestedAt && payment.refundRequestedAt.getTime() > Date.now() - REFUND_LEASE_MS;
  if (inFlight) throw new Error('a refund for a deleted account is in flight; the failure is looked at again');
  const tries = await claimRefundAlert(refundId, payment);
  if (tries === null) {
    if (await RefundAlert.exists({ _id: refundId, toldAt: { $ne: null } })) return 'known';
    throw new Error('the admin is being told of this failed refund elsewhere, or later; the event is looked at again');
  }
  const told = await alertAdmin(
    payment,
    'refund failed at the gateway, refund it by hand',
    `Refund ${refundId} of payment ${refundedPaymentId ?? 'unnamed'} failed; check the dashboard for another refund of it first.`,
  );
  if (!told) {
    // A minute, then twice as long each time, up to an hour.
    const nextTryAt = new Date(Date.now() + Math.min(HOUR_MS, MINUTE_MS * 2 ** tries));
    await RefundAlert.updateOne({ _id: refundId }, { $set: { claimedAt: null, nextTryAt }, $inc: { tries: 1 } });
    throw new Error('the admin could not be told of a failed refund; the event is processed again later');
  }
  // Audited before anything answers repeats 'known' (`toldAt`, then the mark): a process dying
  // or a write failing before those leaves the claim to lapse and the mail to go again, never
  // a told failure without its audit record.
  await audit({ userId: payment.userId, paymentId: payment._id, action: 'payment.refund_failed', ...bySource(source), detail });
  await RefundAlert.updateOne({ _id: refundId }, { $set: { toldAt: new Date(), claimedAt: null } });
  await Payment.updateOne({ _id: payment._id, failedRefundIds: { $ne: refundId } }, { $push: { failedRefundIds: refundId } });
  return 'alerted';
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
// Longer than a mail can take (the SES client gives up on a try after seconds).
const ALERT_LEASE_MS = 5 * MINUTE_MS;

/**
 * The right to tell the admin of one failed refund: nobody told yet, no claim alive, and its
 * next try due; the tries before it, or null when it is not this caller's. Two deliveries (or
 * a delivery and the job) at once: one mails, the other is looked at again later.
 */
async function claimRefundAlert(refundId: string, payment: PaymentDoc): Promise<number | null> {
  const now = new Date();
  if (await insertedOnce(() => RefundAlert.create({ _id: refundId, paymentId: payment._id, claimedAt: now }))) return 0;
  const claimed = await RefundAlert.findOneAndUpdate(
    {
      _id: refundId,
      toldAt: null,
      $and: [
        { $or: [{ claimedAt: null }, { claimedAt: { $lt: new Date(now.getTime() - ALERT_LEASE_MS) } }] },
        { $or: [{ nextTryAt: null }, { nextTryAt: { $lte: now } }] },
      ],
    },
    { $set: { claimedAt: now } },
  ).lean();
  return claimed ? claimed.tries : null;
}
