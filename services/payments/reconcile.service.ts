import { config } from '../../config/index.js';
import { Payment } from '../../models/payment.model.js';
import { paymentGateway } from './payment-gateway.js';
import { applyGatewayPayment, finishGrant } from './payment.service.js';
import { REFUND_TO_TRY, refundsLeftToAdmins } from './deleted-account-refund.js';

// Orders older than this with no payment are left alone (Checkout abandoned).
const RECONCILE_FOR_MS = 3 * 86_400_000;
// The job acts for no request.
const RECONCILE = { actor: 'reconcile', requestId: undefined };
const ATTEMPT_ORDER = { failed: 0, created: 0, refunded: 0, authorized: 1, captured: 2 } as const;

/**
 * Payments stuck in `created` or `authorized` past PAYMENT_RECONCILE_MINUTES: Razorpay is
 * asked what became of the order's attempts and the best one is applied (a webhook lost
 * on the way changes nothing in the end). Also finishes grants a crash cut in half, and
 * refunds a payment of a deleted account the gateway failed to refund (or had not captured).
 */
export async function reconcilePayments(now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - config.payments.reconcileAfterMs);
  const after = new Date(now.getTime() - RECONCILE_FOR_MS);
  let applied = 0;
  for (const status of ['created', 'authorized'] as const) {
    const stuck = await Payment.find({ status, createdAt: { $lt: before, $gt: after } })
      .limit(200)
      .lean();
    for (const payment of stuck) {
      const attempts = await paymentGateway().orderPayments(payment.orderId);
      const best = attempts
        .filter((a) => a.amount === payment.amount && a.currency === payment.currency)
        .sort((a, b) => (ATTEMPT_ORDER[b.status] ?? 0) - (ATTEMPT_ORDER[a.status] ?? 0))[0];
      if (!best) continue;
      await applyGatewayPayment(payment, best, RECONCILE);
      applied++;
    }
  }
  const halfGranted = await Payment.find({
    grantedAt: { $lt: new Date(now.getTime() - 60_000) },
    // One only authorized is looked at for a week (a deleted account's, waiting for its capture
    // to be refunded: Razorpay voids an uncaptured payment in days); a captured one until done.
    $or: [{ status: 'captured' }, { grantedAt: { $gt: new Date(now.getTime() - 7 * 86_400_000) } }],
    granted: null,
    revokedAt: null,
    ...REFUND_TO_TRY,
  })
    .sort({ grantedAt: 1 })
    .limit(200)
    .lean();
  for (const payment of halfGranted) await finishGrant(payment, RECONCILE);
  await refundsLeftToAdmins(now);
  return applied;
}
