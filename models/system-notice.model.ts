import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

export const SEGMENT_KINDS = ['everyone', 'plan', 'country', 'inactive'] as const;
export const SYSTEM_NOTICE_STATUSES = ['scheduled', 'sending', 'sent', 'cancelled'] as const;

/**
 * A notice an admin scheduled for a segment of people. Sent once: a process claims it with a
 * lease and walks the segment in id order, keeping its place (`after`) and the count; a
 * process that dies leaves the lease to lapse, and the next one goes on from that place.
 */
const systemNoticeSchema = new Schema(
  {
    text: { type: String, required: true },
    // The same notice in other languages, for people who read in them (English `text` otherwise).
    translations: { es: { type: String } },
    segment: {
      kind: { type: String, enum: SEGMENT_KINDS, required: true },
      plan: { type: String },
      country: { type: String },
      inactiveDays: { type: Number },
    },
    sendAt: { type: Date, required: true },
    status: { type: String, enum: SYSTEM_NOTICE_STATUSES, default: 'scheduled' },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    // While sending: who holds it and until when; the last user reached; how many were told.
    owner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    after: { type: Schema.Types.ObjectId, default: null },
    delivered: { type: Number, default: 0 },
    sentAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);
systemNoticeSchema.index({ status: 1, sendAt: 1 });
systemNoticeSchema.index({ createdAt: -1 });

export type SystemNoticeDoc = InferSchemaType<typeof systemNoticeSchema> & { _id: Types.ObjectId; createdAt: Date };
export const SystemNotice = model('SystemNotice', systemNoticeSchema);
