import { z } from 'zod';
import { baseUrl, cron, defineArea, int } from '../env-rules.js';

/** Plan prices as "months:amount in the currency's smallest unit", comma-separated: "1:49900,3:129900". */
const prices = (fallback: string) =>
  z
    .string()
    .regex(/^\d{1,2}:\d{1,9}(,\d{1,2}:\d{1,9})*$/, 'months:amount pairs such as 1:49900,3:129900')
    .default(fallback)
    .transform((v): Record<number, number> => Object.fromEntries(v.split(',').map((pair) => pair.split(':').map(Number))));

// The local gateway's own keys (development, tests): it takes no money, so production refuses it.
const LOCAL_KEYS = { keyId: 'rzp_local', keySecret: 'local-key-secret', webhookSecret: 'local-webhook-secret' };

type RazorpayKeys = { RAZORPAY_KEY_ID?: string; RAZORPAY_KEY_SECRET?: string; RAZORPAY_WEBHOOK_SECRET?: string };
const hasRazorpay = (e: RazorpayKeys) => Boolean(e.RAZORPAY_KEY_ID && e.RAZORPAY_KEY_SECRET && e.RAZORPAY_WEBHOOK_SECRET);

/** Razorpay, plan prices, and the membership job (expiry, reminders, reconciliation). */
export const payments = defineArea({
  vars: {
    RAZORPAY_KEY_ID: z.string().min(1).optional(),
    RAZORPAY_KEY_SECRET: z.string().min(8).optional(),
    RAZORPAY_WEBHOOK_SECRET: z.string().min(8).optional(),
    RAZORPAY_API_URL: baseUrl('https://api.razorpay.com'),
    PAYMENT_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as INR')
      .default('INR'),
    PLAN_GOLD_PRICES: prices('1:49900,3:129900'),
    PLAN_PREMIUM_PRICES: prices('1:99900,3:249900'),
    MEMBERSHIP_CRON: cron('*/10 * * * *'),
    MEMBERSHIP_REMINDER_DAYS: int(3, 0, 30),
    PAYMENT_RECONCILE_MINUTES: int(15, 1, 1440),
  },
  check: (e, { production }) =>
    production && !hasRazorpay(e)
      ? [
          'RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET, RAZORPAY_WEBHOOK_SECRET: required in production (the local gateway takes no money)',
        ]
      : [],
  settings: (e) => ({
    payments: {
      // Without Razorpay keys (development, tests that choose so) a local gateway stands in.
      gateway: hasRazorpay(e) ? ('razorpay' as const) : ('local' as const),
      keyId: e.RAZORPAY_KEY_ID ?? LOCAL_KEYS.keyId,
      keySecret: e.RAZORPAY_KEY_SECRET ?? LOCAL_KEYS.keySecret,
      webhookSecret: e.RAZORPAY_WEBHOOK_SECRET ?? LOCAL_KEYS.webhookSecret,
      apiUrl: e.RAZORPAY_API_URL,
      currency: e.PAYMENT_CURRENCY,
      // Paid plans: months -> price in the currency's smallest unit (paise).
      prices: { gold: e.PLAN_GOLD_PRICES, premium: e.PLAN_PREMIUM_PRICES },
      membershipCron: e.MEMBERSHIP_CRON,
      reminderDays: e.MEMBERSHIP_REMINDER_DAYS,
      reconcileAfterMs: e.PAYMENT_RECONCILE_MINUTES * 60_000,
    },
  }),
});
