import { Schema, model } from 'mongoose';

/**
 * Telling the admin of a refund that failed at the gateway (one made in the dashboard), one
 * row per refund (`_id` is Razorpay's refund id): claimed by one process at a time (a claim
 * older than its lease died with its process), `toldAt` once the mail went. A mail that did
 * not go is tried again later and later (`nextTryAt`), so a long outage costs one try an hour.
 */
const refundAlertSchema = new Schema(
  {
    _id: { type: String, required: true },
    paymentId: { type: Schema.Types.ObjectId, required: true },
    claimedAt: { type: Date, default: null },
    toldAt: { type: Date, default: null },
    tries: { type: Number, default: 0 },
    nextTryAt: { type: Date, default: null },
  },
  { versionKey: false },
);

export const RefundAlert = model('RefundAlert', refundAlertSchema);
