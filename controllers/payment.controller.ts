import type { Request, Response } from 'express';
import { searchAudit } from '../services/audit.service.js';
import { membershipOf } from '../services/payments/membership.service.js';
import { createOrder, listPayments, listPlans, verifyCheckout } from '../services/payments/payment.service.js';
import { localCheckoutScript as checkoutScript, payLocally } from '../services/payments/local-checkout.js';
import { receiveWebhook } from '../services/payments/webhook.service.js';
import { retryPaymentEvent } from '../services/payments/event-retry.service.js';
import { callerId, inputOf, pageOf, staffOf } from './caller.js';
import * as rules from '../validators/payment.validators.js';

export async function plans(_req: Request, res: Response) {
  res.json({ plans: listPlans() });
}

export async function order(req: Request, res: Response) {
  const { plan, months } = inputOf(req, rules.orderRules);
  res.status(201).json(await createOrder(callerId(req), { plan, months }, req.id));
}

export async function verify(req: Request, res: Response) {
  res.json(await verifyCheckout(callerId(req), inputOf(req, rules.verifyRules), req.id));
}

export async function history(req: Request, res: Response) {
  res.json(await listPayments({ ...pageOf(req), userId: callerId(req) }));
}

export async function membership(req: Request, res: Response) {
  res.json({ membership: await membershipOf(callerId(req)) });
}

/** Razorpay's delivery: the raw body (express.raw ran, not the JSON parser). */
export async function webhook(req: Request, res: Response) {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const { duplicate } = await receiveWebhook(body, req.get('x-razorpay-signature'), req.get('x-razorpay-event-id'), req.id);
  res.status(200).json({ received: true, duplicate });
}

export async function adminPayments(req: Request, res: Response) {
  const { status } = inputOf(req, rules.adminPaymentRules);
  res.json(await listPayments({ ...pageOf(req), ...(status && { status }) }));
}

export async function adminAudit(req: Request, res: Response) {
  const { userId } = inputOf(req, rules.auditRules);
  res.json(await searchAudit({ ...(userId && { userId }) }, pageOf(req)));
}

export async function retryEvent(req: Request, res: Response) {
  res.json({ event: await retryPaymentEvent(staffOf(req), inputOf(req, rules.paymentEventRules).eventId) });
}

/** The local gateway's checkout script (development and browser tests only). */
export function localCheckoutScript(_req: Request, res: Response) {
  res.type('text/javascript').setHeader('Cache-Control', 'no-cache').send(checkoutScript());
}

export async function localPay(req: Request, res: Response) {
  res.json(await payLocally(callerId(req), inputOf(req, rules.localPayRules).orderId));
}
