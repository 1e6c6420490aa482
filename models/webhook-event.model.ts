import { Schema, model } from 'mongoose';

/**
 * A Razorpay webhook delivery with a good signature, stored once by its
 * x-razorpay-event-id (the _id), so a retried or duplicated delivery does nothing.
 * `processedAt` is set when its work is done; the membership job finishes any left undone,
 * a failing one later and later.
 */
const webhookEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    event: { type: String, required: true },
    // The delivery as sent (JSON text): kept verbatim, and any keys it has (even `$`-keys) are no document's.
    body: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    processedAt: { type: Date },
    // What came of it: applied, ignored (nothing to do), unknown_order, mismatch (amount or currency).
    outcome: { type: String },
    // The delivery's request (X-Request-Id): its audit records name it, a later retry's too.
    requestId: { type: String },
    // Failed tries: the job tries it again from nextTryAt (a minute after receipt, then later and later).
    tries: { type: Number, default: 0 },
    nextTryAt: { type: Date },
    lastError: { type: String },
    // When the job stopped trying it (a week after receipt): only an admin's retry tries it then.
    gaveUpAt: { type: Date },
    // A try under way holds it until then (the delivery's, the job's and an admin's never run at once).
    tryingUntil: { type: Date },
    // When the admin was told it keeps failing (once), and a telling's claim (it lapses).
    stuckToldAt: { type: Date },
    stuckClaimedAt: { type: Date },
  },
  { versionKey: false },
);

// The job's query: the unprocessed ones due, earliest first.
webhookEventSchema.index({ processedAt: 1, nextTryAt: 1 });

export const WebhookEvent = model('WebhookEvent', webhookEventSchema);
