import { Report, type REPORT_STATUSES } from '../../models/report.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { toReport } from './report.service.js';
import { audit, byStaff } from '../audit.service.js';
import { assertMayActOn, type Staff } from './admin-users.service.js';
import { ownerOf } from './report-target.js';
import { nextCursorOf, olderThan } from '../page-cursor.js';

type ReportStatus = (typeof REPORT_STATUSES)[number];

/**
 * Reports in one status, newest first, a page at a time (status is the indexed equality).
 * Who reported is for admins: a moderator could tell a reported friend (as in user records
 * and the review queue).
 */
export async function listReports(viewer: Staff, status: ReportStatus, page: { limit: number; cursor?: string }) {
  const admin = viewer.role === 'admin';
  const reports = await Report.find({ status, ...olderThan(page.cursor) })
    .sort({ _id: -1 })
    .limit(page.limit)
    .lean();
  return {
    reports: reports.map((r) => ({ ...toReport(r), ...(admin && { reporterId: String(r.reporterId) }) })),
    nextCursor: nextCursorOf(reports, page.limit),
  };
}

/**
 * Closes an open report; a report already closed by someone else is a 409, not a silent
 * overwrite. Nobody closes a report about themselves, and moderators none about staff.
 */
export async function closeReport(staff: Staff, reportId: string, status: Exclude<ReportStatus, 'open'>): Promise<void> {
  const report = await Report.findById(reportId, { targetType: 1, targetId: 1 }).lean();
  if (!report) throw notFound('Report');
  const owner = await ownerOf(report.targetType, report.targetId);
  if (owner) await assertMayActOn(staff, owner);
  const res = await Report.updateOne({ _id: reportId, status: 'open' }, { $set: { status } });
  if (res.modifiedCount === 1) {
    await audit({
      action: 'moderation.report_closed',
      ...byStaff(staff),
      target: { type: 'report', id: reportId },
      before: { status: 'open' },
      after: { status },
    });
    return;
  }
  throw new AppError('REPORT_ALREADY_CLOSED', 'This report was already closed');
}
