import { createHash } from 'node:crypto';
import { config } from '../../config/index.js';
import { Payment } from '../../models/payment.model.js';
import { WebhookEvent } from '../../models/webhook-event.model.js';
import { AppError } from '../../utils/app-error.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { audit, type AuditSource, bySource } from '../audit.service.js';
import type { GatewayPayment, GatewayPaymentStatus } from './gateway.js';
import { applyGatewayPayment, recordRefund, sameMoney } from './payment.service.js';
import { refundFailed } from './deleted-account-refund.js';
import { hmacSha256Hex, signatureMatches } from './signature.js';
import { insertedOnce } from '../../utils/duplicate-key.js';
import { failedTry, firstRetryAt, timeUntimedEvents } from './webhook-retry.js';

// The payment status each payment event reports; with the two refund outcomes, the events handled.
const EVENT_STATUS: Record<string, GatewayPaymentStatus> = {
  'payment.authorized': 'authorized',
  'payment.captured': 'captured',
  'payment.failed': 'failed',
  'order.paid': 'captured',
};
const HANDLED = new Set([...Object.keys(EVENT_STATUS), 'refund.processed', 'refund.failed']);

const str = (v: unknown) => (typeof v === 'string' && v.length <= 100 ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);
type Entity = Record<string, unknown> | undefined;
const entity = (payload: Record<string, unknown>, name: string): Entity => {
  const wrapper = payload[name];
  const inner = wrapper && typeof wrapper === 'object' ? (wrapper as Record<string, unknown>).entity : undefined;
  return inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : undefined;
};

/**
 * A delivery from Razorpay: the signature over the exact bytes first (nothing is stored
 * without it), then the event stored once under its id, answered at once; the work runs
 * right after, and the membership job finishes any a crash left undone.
 */
export async function receiveWebhook(
  raw: Buffer,
  signature: unknown,
  eventIdHeader: unknown,
  requestId: string | undefined,
): Promise<{ duplicate: boolean }> {
  if (!signatureMatches(hmacSha256Hex(config.payments.webhookSecret, raw), signature)) {
    throw new AppError('INVALID_SIGNATURE', 'The webhook signature does not match');
  }
  let body: { event?: unknown; payload?: unknown };
  try {
    body = JSON.parse(raw.toString('utf8')) as typeof body;
  } catch {
    throw new AppError('MALFORMED_JSON', 'The webhook body is not JSON');
  }
  const event = str(body?.event);
  if (!event || !body.payload || typeof body.payload !== 'object') {
    throw new AppError('INVALID_WEBHOOK', 'The webhook names no event or payload');
  }
  // Razorpay always sends the id; a body hash keeps duplicates out if a proxy drops the header.
  const id = str(eventIdHeader) ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const now = new Date();
  if (
    !(await insertedOnce(() =>
      WebhookEvent.create({
        _id: id,
        event,
        body: raw.toString('utf8'),
        receivedAt: now,
        nextTryAt: firstRetryAt(now),
        requestId,
      }),
    ))
  ) {
    return { duplicate: true };
  }
  setImmediate(() => void processWebhookEvent(id));
  return { duplicate: false };
}

// A try holds its event this long (a process that stops mid-try gives it up by then): tries
// from the job, the delivery and an admin never run at once (a refund's failure read stale by
// the second would tell the admin to refund by hand what the first gave back to the job).
// As long as the refund's own lease: a try waits on the gateway, the database and a mail.
const TRY_LEASE_MS = 10 * 60_000;

/** What came of a call to processWebhookEvent: tried (done or failed), held by another try (or done already), or the claim failed. */
export type TryResult = 'tried' | 'held' | 'unavailable';

/**
 * Does an event's work (safe to run twice: every change is conditional) and notes the outcome;
 * a failure is noted with the time of the next try (`now`: the job's clock). `byStaff` names
 * an admin who asked for this try: the work is still the webhook's (the payment's history
 * says so, its records carry the delivery's request), the admin named beside it.
 */
export async function processWebhookEvent(id: string, now = new Date(), byStaff?: string): Promise<TryResult> {
  const leaseEnd = new Date(Date.now() + TRY_LEASE_MS);
  let stored;
  try {
    stored = await WebhookEvent.findOneAndUpdate(
      { _id: id, processedAt: null, $or: [{ tryingUntil: null }, { tryingUntil: { $lt: new Date() } }] },
      { $set: { tryingUntil: leaseEnd } },
      { returnDocument: 'after' },
    ).lean();
  } catch (err) {
    logger.error('a webhook event could not be claimed for a try', { eventId: id, error: errorMessage(err) });
    return 'unavailable';
  }
  if (!stored) return 'held';
  let done = false;
  try {
    const { payload } = JSON.parse(stored.body) as { payload: Record<string, unknown> };
    const source = { actor: 'webhook', requestId: stored.requestId ?? undefined, ...(byStaff && { actorId: byStaff }) };
    const outcome = await apply(stored.event, payload, id, source);
    await WebhookEvent.updateOne(
      { _id: id, processedAt: null },
      { $set: { processedAt: new Date(), outcome }, $unset: { tryingUntil: 1 } },
    );
    done = true;
  } catch (err) {
    logger.error('webhook event failed; the membership job retries it', { eventId: id, error: errorMessage(err) });
    await failedTry(id, errorMessage(err), now);
  } finally {
    if (!done) {
      await WebhookEvent.updateOne({ _id: id, tryingUntil: leaseEnd }, { $unset: { tryingUntil: 1 } }).catch(() => undefined);
    }
  }
  return 'tried';
}

async function apply(event: string, payload: Record<string, unknown>, eventId: string, source: AuditSource): Promise<string> {
  if (!HANDLED.has(event)) return 'ignored';
  const pay = entity(payload, 'payment');
  const refund = entity(payload, 'refund');
  const orderId = str(pay?.order_id) ?? str(entity(payload, 'order')?.id);
  const payment = orderId
    ? await Payment.findOne({ orderId }).lean()
    : str(refund?.payment_id)
      ? await Payment.findOne({ paymentId: str(refund?.payment_id) }).lean()
      : null;
  if (!payment) {
    // Not ours (another integration on the same account, or a test event): kept for an admin, answered 2xx.
    await audit({ action: 'webhook.unknown_order', ...bySource(source), detail: { eventId, event, orderId: orderId ?? null } });
    return 'unknown_order';
  }
  if (event === 'refund.processed' || event === 'refund.failed') {
    const refundId = str(refund?.id);
    const amount = num(refund?.amount);
    if (!refundId || amount === undefined) return 'ignored';
    // Money that did not go back, whichever payment of the order it was for.
    if (event === 'refund.failed') return refundFailed(payment, refundId, str(refund?.payment_id) ?? str(pay?.id), source);
    // A refund of another payment on the same order (a second attempt Razorpay refunds by
    // itself) takes nothing back from the one that paid for the plan.
    const refunded = str(refund?.payment_id) ?? str(pay?.id);
    if (payment.paymentId && refunded && refunded !== payment.paymentId) {
      await audit({
        userId: payment.userId,
        paymentId: payment._id,
        action: 'webhook.refund_of_other_payment',
        ...bySource(source),
        detail: { eventId, refundId, refundedPaymentId: refunded, amount },
      });
      return 'other_payment';
    }
    await recordRefund(payment, { id: refundId, amount }, source);
    return 'applied';
  }
  const remote = gatewayPayment(pay, event);
  if (!remote) return 'ignored';
  if (!sameMoney(payment, remote)) {
    await audit({
      userId: payment.userId,
      paymentId: payment._id,
      action: 'webhook.mismatch',
      ...bySource(source),
      detail: { eventId, ...remote },
    });
    return 'mismatch';
  }
  await applyGatewayPayment(payment, remote, source);
  return 'applied';
}

/** The payment entity of an event in the gateway's terms; the event names the status it reports. */
function gatewayPayment(pay: Entity, event: string): GatewayPayment | undefined {
  const id = str(pay?.id);
  const orderId = str(pay?.order_id);
  const amount = num(pay?.amount);
  const currency = str(pay?.currency);
  if (!id || !orderId || amount === undefined || !currency) return undefined;
  const reason = str(pay?.error_description);
  return { id, orderId, amount, currency, status: EVENT_STATUS[event]!, ...(reason && { errorDescription: reason }) };
}

/**
 * Events a crash or an outage left unprocessed, or whose work failed, once due: done now,
 * earliest first (one that keeps failing waits longer and longer, so it holds up no other).
 */
export async function finishStoredEvents(now = new Date()): Promise<number> {
  await timeUntimedEvents(now);
  const due = await WebhookEvent.find({ processedAt: null, nextTryAt: { $lte: now } }, { _id: 1, nextTryAt: 1 })
    .sort({ nextTryAt: 1 })
    .limit(500)
    .lean();
  for (const e of due) await processWebhookEvent(e._id, now);
  return due.length;
}

/** How long a done event is kept: long past Razorpay's redeliveries (a day), for an admin's look. */
export const KEEP_DONE_EVENTS_MS = 90 * 86_400_000;

/**
 * Done events past KEEP_DONE_EVENTS_MS deleted (their bodies name the payer; the audit trail
 * keeps what came of each). Undone ones, given up or not, stay for an admin.
 */
export async function deleteOldWebhookEvents(now: Date): Promise<number> {
  const res = await WebhookEvent.deleteMany({ processedAt: { $ne: null, $lt: new Date(now.getTime() - KEEP_DONE_EVENTS_MS) } });
  return res.deletedCount;
}
