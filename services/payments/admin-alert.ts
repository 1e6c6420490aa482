import { config } from '../../config/index.js';
import { sendMail } from '../mail/mail.service.js';
import type { Payment } from '../../models/payment.model.js';

type PaymentFields = Pick<InstanceType<typeof Payment>, '_id' | 'orderId' | 'userId' | 'plan' | 'months' | 'amount' | 'currency'>;

export type AdminOutcome =
  | 'succeeded'
  | 'failed'
  | 'refund requested: account deleted'
  | 'not refunded: account deleted, refund it by hand'
  | 'refund failed at the gateway, refund it by hand';

/**
 * A mail to the admin address (ALERT_EMAIL) about a payment, when one is set: whether it went
 * (true when there is no address: nobody to tell).
 */
export function alertAdmin(payment: PaymentFields, outcome: AdminOutcome, reason?: string): Promise<boolean> {
  const to = config.alerts.adminEmail;
  if (!to) return Promise.resolve(true);
  return sendMail('adminPayment', to, {
    outcome,
    paymentId: String(payment._id),
    orderId: payment.orderId,
    userId: String(payment.userId),
    plan: payment.plan,
    months: payment.months,
    amount: payment.amount,
    currency: payment.currency,
    reason: reason ?? '',
  });
}
