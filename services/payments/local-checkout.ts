import { config } from '../../config/index.js';
import { Payment } from '../../models/payment.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { checkoutSignature } from './signature.js';

/** Where the web app loads Razorpay's checkout from: Razorpay's script, or the local stand-in without keys. */
export const checkoutScriptUrl = () =>
  config.payments.gateway === 'local' ? '/api/v1/payments/local-checkout.js' : 'https://checkout.razorpay.com/v1/checkout.js';

/**
 * The local gateway's checkout (development and browser tests; production refuses the local
 * gateway): the user's own order is paid as Razorpay's checkout would answer, signed with
 * the local key secret, and the web app then verifies it through the real /payments/verify.
 */
export async function payLocally(userId: string, orderId: string) {
  if (config.payments.gateway !== 'local') throw notFound('Local checkout');
  const order = await Payment.exists({ orderId, userId, status: 'created' });
  if (!order) throw notFound('Order');
  const paymentId = `pay_local_${orderId}`;
  return {
    razorpay_order_id: orderId,
    razorpay_payment_id: paymentId,
    razorpay_signature: checkoutSignature(config.payments.keySecret, orderId, paymentId),
  };
}

/**
 * A stand-in for checkout.js: `new Razorpay(options).open()` shows a dialog with the order;
 * Pay asks the server to pay it locally and calls `options.handler` with Razorpay's fields,
 * Cancel calls `options.modal.ondismiss`.
 */
const LOCAL_CHECKOUT_SCRIPT = `(() => {
  function Razorpay(options) { this.options = options; }
  Razorpay.prototype.open = function () {
    const o = this.options;
    const dialog = document.createElement('dialog');
    dialog.setAttribute('aria-label', 'Local test checkout');
    const text = document.createElement('p');
    text.textContent = (o.description || 'Order') + ': ' + (o.amount / 100).toFixed(2) + ' ' + o.currency + ' (local test gateway, no money moves)';
    const pay = document.createElement('button');
    pay.textContent = 'Pay';
    const cancel = document.createElement('button');
    cancel.textContent = 'Cancel payment';
    dialog.append(text, pay, cancel);
    document.body.append(dialog);
    dialog.showModal();
    const close = () => { dialog.close(); dialog.remove(); };
    cancel.onclick = () => { close(); if (o.modal && o.modal.ondismiss) o.modal.ondismiss(); };
    pay.onclick = async () => {
      pay.disabled = true;
      const res = await fetch('/api/v1/payments/local-checkout/pay', {
        method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ orderId: o.order_id }),
      });
      close();
      if (res.ok) o.handler(await res.json());
      else if (o.modal && o.modal.ondismiss) o.modal.ondismiss();
    };
  };
  window.Razorpay = Razorpay;
})();
`;

/** The stand-in script, only while the local gateway is in use (never with Razorpay keys). */
export function localCheckoutScript(): string {
  if (config.payments.gateway !== 'local') throw new AppError('ROUTE_NOT_FOUND', 'Only with the local gateway');
  return LOCAL_CHECKOUT_SCRIPT;
}
