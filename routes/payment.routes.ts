import express, { Router, type IRouter } from 'express';
import * as payments from '../controllers/payment.controller.js';
import { authenticate, requireRole } from '../middlewares/auth.middleware.js';
import { requireDatabase } from '../middlewares/database.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { pageRules } from '../validators/common.validators.js';
import {
  adminPaymentRules,
  auditRules,
  localPayRules,
  orderRules,
  paymentEventRules,
  verifyRules,
} from '../validators/payment.validators.js';

/** Plans, orders, checkout verification, one's history and membership, under /payments. */
export function paymentRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.get('/plans', payments.plans);
  router.get('/local-checkout.js', payments.localCheckoutScript);
  router.use(authenticate);
  router.post('/local-checkout/pay', validate(localPayRules), payments.localPay);
  router.post('/orders', limit.paymentOrdersPerUser, validate(orderRules), payments.order);
  router.post('/verify', limit.action('paymentVerify'), validate(verifyRules), payments.verify);
  router.get('/history', validate(pageRules(100)), payments.history);
  router.get('/membership', payments.membership);
  return router;
}

/** Everyone's payments, the audit trail and stuck payment events, for admins, under /admin/payments. */
export function adminPaymentRoutes(): Router {
  const router = Router();
  router.use(authenticate, requireRole('admin'));
  router.get('/', validate(adminPaymentRules), payments.adminPayments);
  router.get('/audit', validate(auditRules), payments.adminAudit);
  // A payment event the job gave up on (or any not done yet), tried now.
  router.post('/events/:eventId/retry', validate(paymentEventRules), payments.retryEvent);
  return router;
}

export const WEBHOOK_PATH = '/payments/webhook';

/**
 * POST /api/v1/payments/webhook, mounted before the JSON parser: the signature is over
 * the exact bytes Razorpay sent, which a parse and re-serialise would not keep. The app
 * takes it as its own route at `prefix` (a router mounted at /api/v1 would be entered,
 * and its URL trimmed, by every API request).
 */
export function paymentWebhookRoute(router: IRouter = Router(), prefix = ''): IRouter {
  router.post(prefix + WEBHOOK_PATH, express.raw({ type: () => true, limit: '1mb' }), requireDatabase, payments.webhook);
  return router;
}
