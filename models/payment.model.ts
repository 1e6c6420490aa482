import { Schema, model } from 'mongoose';

export const PAYMENT_STATUSES = ['created', 'failed', 'authorized', 'captured', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * How far along a payment is. A payment only moves up this order, so a late or repeated
 * report never undoes a later one (captured stays captured when `failed` arrives late);
 * `failed` sits low because a new attempt on the same order may still succeed.
 */
export const STATUS_RANK: Record<PaymentStatus, number> = { created: 0, failed: 1, authorized: 2, captured: 3, refunded: 4 };

const historySchema = new Schema(
  {
    status: { type: String, enum: PAYMENT_STATUSES, required: true },
    at: { type: Date, required: true },
    // checkout (the client's verify call), webhook, reconcile (the job asking Razorpay).
    source: { type: String, required: true },
  },
  { _id: false },
);

/**
 * One Razorpay order for a plan and what became of it. `_id` is the order's receipt.
 * `grantedAt` and `revokedAt` are claimed by conditional updates, so a membership is given
 * (and taken back on a full refund) once per payment whoever reports it first.
 */
const paymentSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    plan: { type: String, enum: ['gold', 'premium'], required: true },
    months: { type: Number, required: true },
    amount: { type: Number, required: true }, // in the currency's smallest unit (paise)
    currency: { type: String, required: true },
    orderId: { type: String, required: true },
    paymentId: { type: String },
    status: { type: String, enum: PAYMENT_STATUSES, required: true, default: 'created' },
    history: { type: [historySchema], default: [] },
    grantedAt: { type: Date },
    // What the grant is about to write (set before the user write; see grantMembership).
    grantPlanned: {
      type: new Schema({ plan: String, from: Date, until: Date }, { _id: false }),
      required: false,
    },
    // The membership time this payment bought, to take back exactly that on a full refund.
    granted: {
      type: new Schema({ plan: String, from: Date, until: Date }, { _id: false }),
      required: false,
    },
    revokedAt: { type: Date },
    // A payment that came through after its account was deleted: given back, not granted
    // (a try in progress since, how many tries, the gateway's refund once made).
    refundRequestedAt: { type: Date },
    refundTries: { type: Number },
    refundId: { type: String },
    // Those of its refunds Razorpay reported failed (refund.failed), each tried again once.
    failedRefundIds: { type: [String], default: undefined },
    refundAlertedAt: { type: Date },
    refunds: { type: [new Schema({ refundId: String, amount: Number, at: Date }, { _id: false })], default: [] },
    refundedAmount: { type: Number, default: 0 },
    failureReason: { type: String },
  },
  { timestamps: true, versionKey: false },
);

paymentSchema.index({ orderId: 1 }, { unique: true });
paymentSchema.index({ paymentId: 1 });
paymentSchema.index({ userId: 1, _id: -1 });
// The reconcile job: payments still waiting in one status.
paymentSchema.index({ status: 1, createdAt: 1 });
// The job's retry of grants a crash cut in half (grantedAt set, granted not yet written).
paymentSchema.index({ grantedAt: 1 });
// The job's look for refunds of deleted accounts the tries did not make.
paymentSchema.index({ refundTries: 1 }, { sparse: true });

export const Payment = model('Payment', paymentSchema);
