import { useState } from 'react';
import { get, post } from '../api';
import { ErrorText, useAction } from '../components/Form';
import { loadScript } from '../lib/load-script';
import { useLoad } from '../lib/use-load';
import { useSession, type Me } from '../session';

interface Plan {
  plan: 'gold' | 'premium';
  months: number;
  amount: number;
  currency: string;
  grants: { chat: boolean; badge: boolean; dailyRequests: number | null };
}
interface Membership {
  plan: string;
  expiresAt: string | null;
}
interface Order {
  keyId: string;
  checkoutScript: string;
  orderId: string;
  amount: number;
  currency: string;
  name: string;
  description: string;
  prefill: Record<string, string>;
}
type CheckoutResult = { razorpay_order_id: string; razorpay_payment_id: string; razorpay_signature: string };
type RazorpayCtor = new (options: Record<string, unknown>) => { open(): void };

const price = (p: { amount: number; currency: string }) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: p.currency }).format(p.amount / 100);

/** Plans and the checkout: an order from the server, Razorpay's checkout, then the server verifies the signature. */
export function Plans() {
  const { setMe } = useSession();
  const plans = useLoad(() => get<{ plans: Plan[] }>('/payments/plans').then((r) => r.plans));
  const membership = useLoad(() => get<{ membership: Membership }>('/payments/membership').then((r) => r.membership));
  const [note, setNote] = useState<string | null>(null);
  const action = useAction();
  const buy = (plan: Plan) =>
    action.run(async () => {
      setNote(null);
      const order = await post<Order>('/payments/orders', { plan: plan.plan, months: plan.months });
      await loadScript(order.checkoutScript);
      const Razorpay = (window as unknown as { Razorpay: RazorpayCtor }).Razorpay;
      const paid = await new Promise<CheckoutResult | null>((resolve) =>
        new Razorpay({
          key: order.keyId,
          order_id: order.orderId,
          amount: order.amount,
          currency: order.currency,
          name: order.name,
          description: order.description,
          prefill: order.prefill,
          handler: resolve,
          modal: { ondismiss: () => resolve(null) },
        }).open(),
      );
      if (!paid) return setNote('Payment cancelled.');
      await post('/payments/verify', paid);
      await membership.reload();
      setMe((await get<{ user: Me }>('/auth/me')).user);
      setNote(`Welcome to ${plan.plan}!`);
    });
  return (
    <section>
      <h1>Plans</h1>
      {membership.data && (
        <p data-testid="membership">
          Your plan: <strong>{membership.data.plan}</strong>
          {membership.data.expiresAt && ` until ${new Date(membership.data.expiresAt).toLocaleDateString()}`}
        </p>
      )}
      {note && <p role="status">{note}</p>}
      <ErrorText error={action.error ?? plans.error} />
      <div className="grid">
        {plans.data?.map((p) => (
          <article key={`${p.plan}-${p.months}`} className="card" aria-label={`${p.plan}, ${p.months} months`}>
            <h2>
              {p.plan} · {p.months} month{p.months > 1 ? 's' : ''}
            </h2>
            <p>{price(p)}</p>
            <ul>
              <li>{p.grants.dailyRequests === null ? 'Unlimited requests' : `${p.grants.dailyRequests} requests a day`}</li>
              {p.grants.badge && <li>Verified badge</li>}
            </ul>
            <button type="button" onClick={() => void buy(p)} disabled={action.busy}>
              Buy {p.plan} for {p.months} month{p.months > 1 ? 's' : ''}
            </button>
          </article>
        ))}
      </div>
    </section>
  );
}
