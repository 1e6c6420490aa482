import { randomBytes } from 'node:crypto';
import type { GatewayOrder, GatewayPayment, GatewayRefund, OrderInput, PaymentGateway } from './gateway.js';

/**
 * Development without Razorpay keys: orders are made up in memory and any payment id of
 * the form `pay_local_<order id>` counts as captured for that order. Production refuses
 * to start without keys (config), so this never takes the place of real money.
 */
export class LocalGateway implements PaymentGateway {
  readonly name = 'local';
  private readonly orders = new Map<string, GatewayOrder>();

  async createOrder(input: OrderInput): Promise<GatewayOrder> {
    const order = {
      id: `order_local${randomBytes(6).toString('hex')}`,
      amount: input.amount,
      currency: input.currency,
      receipt: input.receipt,
    };
    this.orders.set(order.id, order);
    return order;
  }

  async fetchPayment(paymentId: string): Promise<GatewayPayment> {
    const order = this.orders.get(paymentId.replace(/^pay_local_/, ''));
    if (!order) throw new Error(`local gateway: no payment ${paymentId}`);
    return { id: paymentId, orderId: order.id, status: 'captured', amount: order.amount, currency: order.currency };
  }

  async orderPayments(orderId: string): Promise<GatewayPayment[]> {
    return this.orders.has(orderId) ? [await this.fetchPayment(`pay_local_${orderId}`)] : [];
  }

  async refundPayment(paymentId: string, amount: number): Promise<GatewayRefund> {
    await this.fetchPayment(paymentId);
    return { id: `rfnd_local${randomBytes(6).toString('hex')}`, paymentId, amount };
  }
}
