import { Schema, model } from 'mongoose';

/**
 * One sensitive change: staff decisions, roles, plans and badges, sign-ins from new
 * devices, password, email and sign-in-method changes, payments. Who made it (an actor kind,
 * and the person when there is one), on whom or what, the state before and after, and the
 * request it came from. Appended, never updated or deleted through the API.
 */
const auditRecordSchema = new Schema(
  {
    // The person the change is about (a user's trail).
    userId: { type: Schema.Types.ObjectId, ref: 'User' },
    paymentId: { type: Schema.Types.ObjectId, ref: 'Payment' },
    action: { type: String, required: true },
    // checkout, webhook, reconcile, job, admin, moderator, user, system
    actor: { type: String, required: true },
    // The person who made the change, when one did.
    actorId: { type: Schema.Types.ObjectId },
    // What was changed when it is not a user (a post, comment, report, notice, setting).
    target: { type: { type: String }, id: { type: String } },
    before: { type: Schema.Types.Mixed },
    after: { type: Schema.Types.Mixed },
    detail: { type: Schema.Types.Mixed },
    requestId: { type: String },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

auditRecordSchema.index({ userId: 1, _id: -1 });
auditRecordSchema.index({ actorId: 1, _id: -1 });
auditRecordSchema.index({ action: 1, _id: -1 });
auditRecordSchema.index({ 'target.id': 1, _id: -1 });

export const AuditRecord = model('AuditRecord', auditRecordSchema);
