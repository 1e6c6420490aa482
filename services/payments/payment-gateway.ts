import { config } from '../../config/index.js';
import type { PaymentGateway } from './gateway.js';
import { LocalGateway } from './local.gateway.js';
import { RazorpayGateway } from './razorpay.gateway.js';

let gateway: PaymentGateway | undefined;

/** The gateway config names: Razorpay with keys, else the local one (development). */
export function paymentGateway(): PaymentGateway {
  gateway ??= config.payments.gateway === 'razorpay' ? new RazorpayGateway(config.payments) : new LocalGateway();
  return gateway;
}
