/** What the payments service needs from a payment gateway (Razorpay, or the local stand-in for development). */
export interface GatewayOrder {
  id: string;
  amount: number;
  currency: string;
  receipt: string;
}

export type GatewayPaymentStatus = 'created' | 'authorized' | 'captured' | 'refunded' | 'failed';

export interface GatewayPayment {
  id: string;
  orderId: string;
  status: GatewayPaymentStatus;
  amount: number;
  currency: string;
  errorDescription?: string;
}

export interface OrderInput {
  amount: number;
  currency: string;
  receipt: string;
  notes: Record<string, string>;
}

export interface GatewayRefund {
  id: string;
  paymentId: string;
  amount: number;
}

export interface PaymentGateway {
  readonly name: string;
  createOrder(input: OrderInput): Promise<GatewayOrder>;
  fetchPayment(paymentId: string): Promise<GatewayPayment>;
  /** Every payment attempt made against an order. */
  orderPayments(orderId: string): Promise<GatewayPayment[]>;
  /** Gives back `amount` of a captured payment; the refund.processed webhook confirms it. */
  refundPayment(paymentId: string, amount: number, notes: Record<string, string>): Promise<GatewayRefund>;
}
