import Razorpay from 'razorpay';
import type { GatewayOrder, GatewayPayment, GatewayPaymentStatus, GatewayRefund, OrderInput, PaymentGateway } from './gateway.js';

export interface RazorpaySettings {
  keyId: string;
  keySecret: string;
  /** https://api.razorpay.com, or a stand-in's address in tests. */
  apiUrl: string;
}

interface RazorpayPaymentEntity {
  id: string;
  order_id: string;
  status: GatewayPaymentStatus;
  amount: number;
  currency: string;
  error_description?: string | null;
}

const toPayment = (p: RazorpayPaymentEntity): GatewayPayment => ({
  id: p.id,
  orderId: p.order_id,
  status: p.status,
  amount: p.amount,
  currency: p.currency,
  ...(p.error_description && { errorDescription: p.error_description }),
});

/**
 * The SDK rejects with a plain object ({ statusCode, error: { description } }): made an Error
 * here, so every caller's log and mail says what Razorpay said, not [object Object].
 */
async function sdk<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof Error) throw err;
    const { statusCode, error } = (err ?? {}) as { statusCode?: unknown; error?: { description?: unknown } };
    throw new Error(`Razorpay ${String(statusCode ?? '')}: ${String(error?.description ?? 'no description')}`.trim());
  }
}

/** Razorpay's orders and payments API through its SDK. */
export class RazorpayGateway implements PaymentGateway {
  readonly name = 'razorpay';
  private readonly client: Razorpay;

  constructor(settings: RazorpaySettings) {
    this.client = new Razorpay({ key_id: settings.keyId, key_secret: settings.keySecret });
    // The SDK fixes its host when built; its HTTP client (axios) is re-pointed here, and
    // given a timeout it lacks, so a slow gateway cannot hold requests forever.
    const http = (this.client.api as unknown as { rq: { defaults: { baseURL?: string; timeout?: number } } }).rq;
    http.defaults.baseURL = settings.apiUrl;
    http.defaults.timeout = 10_000;
  }

  async createOrder(input: OrderInput): Promise<GatewayOrder> {
    const order = await sdk(
      this.client.orders.create({
        amount: input.amount,
        currency: input.currency,
        receipt: input.receipt,
        notes: input.notes,
      }),
    );
    return { id: order.id, amount: Number(order.amount), currency: order.currency, receipt: order.receipt ?? input.receipt };
  }

  async fetchPayment(paymentId: string): Promise<GatewayPayment> {
    return toPayment((await sdk(this.client.payments.fetch(paymentId))) as unknown as RazorpayPaymentEntity);
  }

  async orderPayments(orderId: string): Promise<GatewayPayment[]> {
    const list = (await sdk(this.client.orders.fetchPayments(orderId))) as unknown as { items: RazorpayPaymentEntity[] };
    return list.items.map(toPayment);
  }

  async refundPayment(paymentId: string, amount: number, notes: Record<string, string>): Promise<GatewayRefund> {
    const refund = (await sdk(this.client.payments.refund(paymentId, { amount, notes }))) as unknown as {
      id: string;
      payment_id: string;
      amount: number;
    };
    return { id: refund.id, paymentId: refund.payment_id, amount: Number(refund.amount) };
  }
}
