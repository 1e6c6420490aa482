import { Schema, model } from 'mongoose';
import type { REPORT_REASONS } from './report.model.js';
import { REPORT_TARGETS } from './report.model.js';

/** How grave each reason is: the graver, the sooner a moderator sees it. */
export const REASON_SEVERITY: Record<(typeof REPORT_REASONS)[number], number> = {
  underage: 5,
  violence: 4,
  hate: 4,
  harassment: 3,
  nudity: 3,
  scam: 3,
  impersonation: 2,
  spam: 1,
  other: 1,
};

export const REVIEW_ACTIONS = ['dismiss', 'hide', 'remove', 'warn', 'suspend', 'ban'] as const;

/**
 * The moderators' queue: one case per reported target (user, message, post, comment) while it
 * is open, gathering its reports: how many people, how many trusted, the gravest reason,
 * and the score the queue is ordered by. A decision closes it with the moderator and a note.
 */
const reviewCaseSchema = new Schema(
  {
    targetType: { type: String, enum: REPORT_TARGETS, required: true },
    targetId: { type: Schema.Types.ObjectId, required: true },
    // Open while undecided; a report after a decision opens a new case.
    openKey: { type: String },
    status: { type: String, enum: ['open', 'decided'], default: 'open' },
    reporters: { type: Number, default: 0 },
    trustedReporters: { type: Number, default: 0 },
    // The gravest reason any reporter gave, and the gravest a trusted one gave: a fresh
    // account's "underage" alone does not jump the queue.
    severity: { type: Number, default: 0 },
    trustedSeverity: { type: Number, default: 0 },
    score: { type: Number, default: 0 },
    lastReportAt: { type: Date },
    decision: {
      action: { type: String, enum: REVIEW_ACTIONS },
      moderatorId: { type: Schema.Types.ObjectId },
      note: { type: String, maxlength: 500 },
      at: { type: Date },
    },
  },
  { timestamps: true, versionKey: false },
);

reviewCaseSchema.index({ openKey: 1 }, { unique: true, sparse: true });
reviewCaseSchema.index({ status: 1, score: -1, _id: -1 });

export const ReviewCase = model('ReviewCase', reviewCaseSchema);
