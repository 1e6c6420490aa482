import { Report, type REPORT_STATUSES } from '../../models/report.model.js';
import { User } from '../../models/user.model.js';
import { AppError, forbidden, notFound } from '../../utils/app-error.js';
import type { Role } from '../../utils/jwt.js';
import { toReport } from './report.service.js';
import { revokeUserSessions } from '../auth/session.service.js';
import { nextCursorOf, olderThan } from '../page-cursor.js';

/** The blue tick: admins set it here, and the plan system will through the same call. */
export async function setVerifiedBadge(userId: string, verifiedBadge: boolean): Promise<void> {
  const res = await User.updateOne({ _id: userId }, { $set: { verifiedBadge } });
  if (res.matchedCount === 0) throw notFound('User');
}

/**
 * Suspends or restores an account. A ban ends every session at once (refresh is
 * refused from then on); moderators may not ban staff.
 */
export async function setBanned(actorRole: Role, userId: string, banned: boolean): Promise<void> {
  const target = await User.findById(userId, { role: 1 }).lean();
  if (!target) throw notFound('User');
  if (actorRole !== 'admin' && target.role !== 'user') throw forbidden('Only admins can suspend staff', 'INSUFFICIENT_ROLE');
  await User.updateOne({ _id: userId }, banned ? { $set: { bannedAt: new Date() } } : { $unset: { bannedAt: 1 } });
  if (banned) await revokeUserSessions(userId, 'banned');
}

type ReportStatus = (typeof REPORT_STATUSES)[number];

/** Reports in one status, newest first, a page at a time (status is the indexed equality). */
export async function listReports(status: ReportStatus, page: { limit: number; cursor?: string }) {
  const reports = await Report.find({ status, ...olderThan(page.cursor) })
    .sort({ _id: -1 })
    .limit(page.limit)
    .lean();
  return {
    reports: reports.map((r) => ({ ...toReport(r), reporterId: String(r.reporterId) })),
    nextCursor: nextCursorOf(reports, page.limit),
  };
}

/** Closes an open report; a report already closed by someone else is a 409, not a silent overwrite. */
export async function closeReport(reportId: string, status: Exclude<ReportStatus, 'open'>): Promise<void> {
  const res = await Report.updateOne({ _id: reportId, status: 'open' }, { $set: { status } });
  if (res.modifiedCount === 1) return;
  if (!(await Report.exists({ _id: reportId }))) throw notFound('Report');
  throw new AppError('REPORT_ALREADY_CLOSED', 'This report was already closed');
}
