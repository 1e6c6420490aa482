import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { hmacSha256Hex } from '../../services/payments/signature.js';

/**
 * A local stand-in for Razorpay's orders and payments API, which our gateway's SDK is
 * pointed at: it checks Basic auth with the key pair, keeps orders and payment attempts in
 * memory, and signs checkouts and webhooks as Razorpay documents it (HMAC-SHA256).
 * Tests make payment attempts with `pay` and deliver webhooks built by `webhook`.
 */
export interface RazorpayOrder {
  id: string;
  amount: number;
  currency: string;
  receipt: string;
  notes: Record<string, string>;
}

export interface RazorpayPayment {
  id: string;
  entity: 'payment';
  order_id: string;
  status: 'created' | 'authorized' | 'captured' | 'refunded' | 'failed';
  amount: number;
  currency: string;
  error_description?: string;
}

const id = (prefix: string) => `${prefix}_${randomBytes(7).toString('hex')}`;

export async function startRazorpayStandIn() {
  const keyId = 'rzp_test_standin';
  const keySecret = `secret-${randomBytes(8).toString('hex')}`;
  const webhookSecret = `whsec-${randomBytes(8).toString('hex')}`;
  const orders = new Map<string, RazorpayOrder>();
  const payments = new Map<string, RazorpayPayment>();
  const requests: { method: string; path: string; body: unknown }[] = [];
  // A test marks one failed (as Razorpay's refund.failed reports): it then gives nothing back.
  const refunds: { id: string; entity: 'refund'; payment_id: string; amount: number; status: 'processed' | 'failed' }[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${keyId}:${keySecret}`).toString('base64')}`;

  const app = express();
  app.use(express.json());
  app.use((req, res, next) => {
    requests.push({ method: req.method, path: req.path, body: req.body });
    if (req.headers.authorization !== expectedAuth) {
      res.status(401).json({ error: { code: 'BAD_REQUEST_ERROR', description: 'Authentication failed' } });
      return;
    }
    next();
  });
  app.post('/v1/orders', (req, res) => {
    const { amount, currency, receipt, notes } = req.body as Partial<RazorpayOrder>;
    if (!Number.isInteger(amount) || (amount ?? 0) < 100 || typeof currency !== 'string') {
      res.status(400).json({ error: { code: 'BAD_REQUEST_ERROR', description: 'The amount must be at least INR 1.00' } });
      return;
    }
    const order = { id: id('order'), amount: amount!, currency, receipt: String(receipt ?? ''), notes: notes ?? {} };
    orders.set(order.id, order);
    res.json({ ...order, entity: 'order', status: 'created', amount_paid: 0, amount_due: amount, attempts: 0 });
  });
  app.get('/v1/payments/:id', (req, res) => {
    const payment = payments.get(req.params.id);
    if (!payment) res.status(400).json({ error: { code: 'BAD_REQUEST_ERROR', description: 'The id provided does not exist' } });
    else res.json(payment);
  });
  app.post('/v1/payments/:id/refund', (req, res) => {
    const payment = payments.get(req.params.id);
    const refunded = refunds
      .filter((r) => r.payment_id === req.params.id && r.status !== 'failed')
      .reduce((sum, r) => sum + r.amount, 0);
    const amount = (req.body as { amount?: unknown }).amount ?? (payment ? payment.amount - refunded : 0);
    if (!payment || payment.status !== 'captured' || !Number.isInteger(amount) || (amount as number) < 100) {
      res.status(400).json({ error: { code: 'BAD_REQUEST_ERROR', description: 'The payment cannot be refunded' } });
      return;
    }
    if ((amount as number) > payment.amount - refunded) {
      res.status(400).json({
        error: { code: 'BAD_REQUEST_ERROR', description: 'The total refund amount is greater than the payment amount' },
      });
      return;
    }
    const refund = {
      id: id('rfnd'),
      entity: 'refund' as const,
      payment_id: payment.id,
      amount: amount as number,
      status: 'processed' as 'processed' | 'failed',
    };
    refunds.push(refund);
    res.json(refund);
  });
  app.get('/v1/orders/:id/payments', (req, res) => {
    const items = [...payments.values()].filter((p) => p.order_id === req.params.id);
    res.json({ entity: 'collection', count: items.length, items });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));

  let events = 0;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    keyId,
    keySecret,
    webhookSecret,
    orders,
    payments,
    requests,
    refunds,
    /** A payment attempt on an order (as Checkout makes), in a status. */
    pay(orderId: string, status: RazorpayPayment['status'] = 'captured', extra: Partial<RazorpayPayment> = {}): RazorpayPayment {
      const order = orders.get(orderId)!;
      const payment: RazorpayPayment = {
        id: id('pay'),
        entity: 'payment',
        order_id: orderId,
        status,
        amount: order.amount,
        currency: order.currency,
        ...extra,
      };
      payments.set(payment.id, payment);
      return payment;
    },
    /** What Checkout hands the client after a payment: the three fields /verify takes. */
    checkout(payment: RazorpayPayment) {
      return {
        razorpay_order_id: payment.order_id,
        razorpay_payment_id: payment.id,
        razorpay_signature: hmacSha256Hex(keySecret, `${payment.order_id}|${payment.id}`),
      };
    },
    /** A webhook delivery as Razorpay sends it: JSON bytes, their signature and an event id. */
    webhook(event: string, payload: Record<string, unknown>, eventId = `evt_${randomBytes(7).toString('hex')}`) {
      const body = JSON.stringify({
        entity: 'event',
        account_id: 'acc_standin',
        event,
        contains: Object.keys(payload),
        payload: Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, { entity: v }])),
        created_at: Math.floor(Date.now() / 1000) + ++events,
      });
      return { body, eventId, signature: hmacSha256Hex(webhookSecret, body) };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type RazorpayStandIn = Awaited<ReturnType<typeof startRazorpayStandIn>>;

// On globalThis: mocha loads setup.ts and the specs through different module loaders,
// so a module-level variable would give the specs a second stand-in the app never calls.
const shared = globalThis as { razorpayStandIn?: Promise<RazorpayStandIn> };

/** The run's stand-in, started by setup.ts before config is read. */
export function razorpayStandIn(): Promise<RazorpayStandIn> {
  shared.razorpayStandIn ??= startRazorpayStandIn();
  return shared.razorpayStandIn;
}
