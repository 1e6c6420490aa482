import { Schema, model } from 'mongoose';

export const REPORT_TARGETS = ['user', 'message', 'post', 'comment'] as const;
export const REPORT_STATUSES = ['open', 'reviewed', 'dismissed'] as const;
export const REPORT_REASONS = [
  'spam',
  'harassment',
  'hate',
  'nudity',
  'violence',
  'scam',
  'underage',
  'impersonation',
  'other',
] as const;

/** A user's report about a user, message, post or comment, for moderators. One per reporter and target. */
const reportSchema = new Schema(
  {
    reporterId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    targetType: { type: String, enum: REPORT_TARGETS, required: true },
    targetId: { type: Schema.Types.ObjectId, required: true },
    reason: { type: String, enum: REPORT_REASONS, required: true },
    note: { type: String, maxlength: 1000 },
    status: { type: String, enum: REPORT_STATUSES, default: 'open' },
    /** Whether the reporter counted toward auto-hiding when they filed it (verified, not new, not reported). */
    trusted: { type: Boolean, default: false },
  },
  { timestamps: true },
);

reportSchema.index({ reporterId: 1, targetType: 1, targetId: 1 }, { unique: true });
// The moderators' queue: one status, newest first.
reportSchema.index({ status: 1, _id: -1 });
// How many people reported one post or comment (auto-hide), and how many reported a user (trust).
reportSchema.index({ targetType: 1, targetId: 1, status: 1 });

export const Report = model('Report', reportSchema);
