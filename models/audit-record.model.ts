import { Schema, model } from 'mongoose';

/** One security- or money-relevant change (payments, memberships, sign-ins, linked accounts): who or what made it, and the details; never updated. */
const auditRecordSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User' },
    paymentId: { type: Schema.Types.ObjectId, ref: 'Payment' },
    action: { type: String, required: true },
    // checkout, webhook, reconcile, job, admin, system
    actor: { type: String, required: true },
    detail: { type: Schema.Types.Mixed },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

auditRecordSchema.index({ userId: 1, _id: -1 });

export const AuditRecord = model('AuditRecord', auditRecordSchema);
