import { Schema, model } from 'mongoose';

/**
 * Events waiting for a batched admin alert, counted with $inc as they happen; the alert
 * job takes the count and resets it in one atomic update, so nothing is counted twice.
 */
const alertCounterSchema = new Schema(
  {
    _id: { type: String, required: true }, // the alert, e.g. "connections"
    pending: { type: Number, required: true, default: 0 },
    since: { type: Date },
  },
  { versionKey: false },
);

export const AlertCounter = model('AlertCounter', alertCounterSchema);
