import { body, param, query } from 'express-validator';
import { PAYMENT_STATUSES, type PaymentStatus } from '../models/payment.model.js';
import { inputRules, isIdText, pageRules, scalar } from './common.validators.js';
import type { PaidPlan, verifyCheckout } from '../services/payments/payment.service.js';

const razorpayId = (field: string) =>
  body(field)
    .isString()
    .withMessage('must be a string')
    .bail()
    .matches(/^[A-Za-z0-9_]{1,64}$/)
    .withMessage('is not a Razorpay id');

export const orderRules = inputRules<{ plan: PaidPlan; months: number }>([
  scalar('plan').isIn(['gold', 'premium']).withMessage('must be gold or premium'),
  scalar('months').isInt({ min: 1, max: 36 }).withMessage('must be a whole number of months').toInt(),
  // Older clients send the price they showed; it is accepted and ignored (the server prices from config).
  scalar('amount').optional(),
  scalar('currency').optional(),
]);

export const verifyRules = inputRules<Parameters<typeof verifyCheckout>[1]>([
  razorpayId('razorpay_order_id'),
  razorpayId('razorpay_payment_id'),
  scalar('razorpay_signature')
    .isString()
    .withMessage('must be a string')
    .bail()
    .matches(/^[0-9a-f]{64}$/i)
    .withMessage('must be a hex HMAC-SHA256'),
]);

export const localPayRules = inputRules<{ orderId: string }>([razorpayId('orderId')]);

export const adminPaymentRules = inputRules<{ status?: PaymentStatus; limit?: number; cursor?: string }>([
  query('status')
    .optional()
    .isIn(PAYMENT_STATUSES)
    .withMessage(`must be one of ${PAYMENT_STATUSES.join(', ')}`),
  ...pageRules(100),
]);

export const auditRules = inputRules<{ userId?: string; limit?: number; cursor?: string }>([
  query('userId').optional().custom(isIdText).withMessage('must be a user id'),
  ...pageRules(100),
]);

// A stored event's id: Razorpay's x-razorpay-event-id as sent, or sha256:<hex> of a delivery without one.
export const paymentEventRules = inputRules<{ eventId: string }>([
  param('eventId').isLength({ min: 1, max: 200 }).withMessage('must be a payment event id'),
]);
