import { Report, type REPORT_REASONS } from '../../models/report.model.js';
import { User } from '../../models/user.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { memberMessage } from '../chat/conversation.service.js';
import { separatePair } from './block.service.js';
import { assertReportable, hideIfReportedEnough, isTrustedReporter } from '../posts/content-moderation.service.js';
import { isDuplicateKey } from '../../utils/duplicate-key.js';
import { noteReport } from './review-queue.service.js';

export interface ReportInput {
  targetType: 'user' | 'message' | 'post' | 'comment';
  targetId: string;
  reason: (typeof REPORT_REASONS)[number];
  note?: string;
}

/**
 * Files a report for moderators. Reporting the same target again returns the first report
 * (created: false) instead of a second record; the unique index settles races.
 */
export async function fileReport(reporterId: string, input: ReportInput) {
  if (input.targetType === 'user') {
    if (input.targetId === reporterId) throw new AppError('CANNOT_REPORT_SELF', 'You cannot report yourself');
    if (!(await User.exists({ _id: input.targetId }))) throw notFound('User');
  }
  // Only a member of its conversation can see, and so report, a message.
  if (input.targetType === 'message') await memberMessage(reporterId, input.targetId);
  const content = input.targetType === 'post' || input.targetType === 'comment' ? input.targetType : null;
  if (content) await assertReportable(reporterId, content, input.targetId);
  const key = { reporterId, targetType: input.targetType, targetId: input.targetId };
  try {
    // Trust weighs every report in the review queue, and lets content reports hide content.
    const trusted = await isTrustedReporter(reporterId);
    const report = await Report.create({ ...key, reason: input.reason, note: input.note, trusted });
    await noteReport({ targetType: input.targetType, targetId: input.targetId, reason: input.reason, trusted });
    if (trusted && content) await hideIfReportedEnough(content, input.targetId);
    // Reporting the person one is matched or on a call with ends it, as a block does.
    if (input.targetType === 'user') await separatePair(reporterId, input.targetId);
    return { report: toReport(report.toObject()), created: true };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const existing = await Report.findOne(key).lean();
    if (!existing) throw err;
    return { report: toReport(existing), created: false };
  }
}

/** A report as its reporter and the moderators see it. */
export function toReport(r: {
  _id: unknown;
  targetType: string;
  targetId: unknown;
  reason: string;
  note?: string | null;
  status: string;
  createdAt: Date;
}) {
  return {
    id: String(r._id),
    targetType: r.targetType,
    targetId: String(r.targetId),
    reason: r.reason,
    ...(r.note ? { note: r.note } : {}),
    status: r.status,
    createdAt: r.createdAt,
  };
}
