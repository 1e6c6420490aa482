import { Types } from 'mongoose';
import { Comment } from '../../models/comment.model.js';
import { Message } from '../../models/message.model.js';
import { Post } from '../../models/post.model.js';
import { Report, type REPORT_REASONS } from '../../models/report.model.js';
import { REASON_SEVERITY, ReviewCase, type REVIEW_ACTIONS } from '../../models/review-case.model.js';
import { AppError, forbidden, notFound } from '../../utils/app-error.js';
import { audit, byStaff } from '../audit.service.js';
import { notifyLater, type TargetKind } from '../notifications/notification.service.js';
import { hideContent } from '../posts/content-hiding.js';
import { moderateContent } from '../posts/content-moderation.service.js';
import { assertMayActOn, assertModeratorMay, banUser, suspendUser, type Staff } from './admin-users.service.js';
import { ownerOf, type Target } from './report-target.js';

export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

type Tally = { severity: number; trustedSeverity?: number | null; reporters: number; trustedReporters: number };

/**
 * The queue's order: the gravest reason first, then how many reported it. Untrusted reports
 * (new or unverified accounts, which cost an attacker nothing) count at half severity and a
 * sixth of a trusted reporter.
 */
export const scoreOf = (c: Tally) =>
  Math.max(c.trustedSeverity ?? 0, c.severity / 2) * 10 + (c.reporters - c.trustedReporters) + c.trustedReporters * 6;

/** A new report joins its target's open case (or opens one), and the case's score follows. */
export async function noteReport(report: {
  targetType: Target;
  targetId: Types.ObjectId | string;
  reason: (typeof REPORT_REASONS)[number];
  trusted?: boolean | null;
}): Promise<void> {
  const openKey = `${report.targetType}:${String(report.targetId)}`;
  const update = {
    $inc: { reporters: 1, trustedReporters: report.trusted ? 1 : 0 },
    $max: { severity: REASON_SEVERITY[report.reason], trustedSeverity: report.trusted ? REASON_SEVERITY[report.reason] : 0 },
    $set: { lastReportAt: new Date() },
    $setOnInsert: { targetType: report.targetType, targetId: report.targetId, status: 'open' },
  };
  let doc;
  try {
    doc = await ReviewCase.findOneAndUpdate({ openKey }, update, { upsert: true, returnDocument: 'after' }).lean();
  } catch {
    // Two first reports at once: the other created the case; join it.
    doc = await ReviewCase.findOneAndUpdate({ openKey }, update, { returnDocument: 'after' }).lean();
  }
  // Written only while the case still holds the tally it was computed from: a report that
  // landed meanwhile writes the score of the later tally, never overwritten by this older one.
  if (doc) {
    const { reporters, trustedReporters, severity, trustedSeverity } = doc;
    await ReviewCase.updateOne(
      { _id: doc._id, reporters, trustedReporters, severity, trustedSeverity },
      { $set: { score: scoreOf(doc) } },
    );
  }
}

const caseView = (c: {
  _id: Types.ObjectId;
  targetType: string;
  targetId: Types.ObjectId;
  status: string;
  reporters: number;
  trustedReporters: number;
  severity: number;
  score: number;
  lastReportAt?: Date | null;
  decision?: { action?: string | null; moderatorId?: Types.ObjectId | null; note?: string | null; at?: Date | null } | null;
}) => ({
  id: String(c._id),
  targetType: c.targetType,
  targetId: String(c.targetId),
  status: c.status,
  reporters: c.reporters,
  trustedReporters: c.trustedReporters,
  severity: c.severity,
  score: c.score,
  lastReportAt: c.lastReportAt ?? null,
  decision: c.decision?.action
    ? {
        action: c.decision.action,
        moderatorId: String(c.decision.moderatorId),
        note: c.decision.note ?? null,
        at: c.decision.at,
      }
    : null,
});

/** A cursor is the last case's score and id: the next page starts after it. */
function afterCursor(cursor: string | undefined) {
  if (!cursor) return {};
  const [score, id] = cursor.split('_');
  const s = Number(score);
  return { $or: [{ score: { $lt: s } }, { score: s, _id: { $lt: new Types.ObjectId(id) } }] };
}

/** Open cases, the highest score first, with the reports of each (reasons and notes, never who). */
export async function listCases(page: { limit: number; cursor?: string; targetType?: Target }) {
  const cases = await ReviewCase.find({
    status: 'open',
    ...(page.targetType && { targetType: page.targetType }),
    ...afterCursor(page.cursor),
  })
    .sort({ score: -1, _id: -1 })
    .limit(page.limit)
    .lean();
  const withReports = await Promise.all(
    cases.map(async (c) => {
      const reports = await Report.find(
        { targetType: c.targetType, targetId: c.targetId, status: 'open' },
        { reason: 1, note: 1, trusted: 1, createdAt: 1 },
      )
        .sort({ _id: -1 })
        .limit(20)
        .lean();
      return {
        ...caseView(c),
        reports: reports.map((r) => ({ reason: r.reason, note: r.note ?? null, trusted: Boolean(r.trusted), at: r.createdAt })),
      };
    }),
  );
  const last = cases.at(-1);
  return { cases: withReports, nextCursor: cases.length === page.limit && last ? `${last.score}_${String(last._id)}` : null };
}

const WHAT: Record<Target, string> = { user: 'profile', message: 'message', post: 'post', comment: 'comment' };

/** Content hidden by a moderator (reversible), or a message's content taken out. */
async function hide(type: Exclude<Target, 'user'>, id: Types.ObjectId, byRole: Staff['role']): Promise<void> {
  if (type === 'message') {
    await Message.updateOne({ _id: id }, { $set: { deletedAt: new Date() }, $unset: { text: 1, attachment: 1, media: 1 } });
    return;
  }
  // Over a hiding by reports too: staff's decision is what stands (and whose it was).
  await hideContent(
    type,
    { _id: id, $or: [{ hiddenAt: null }, { hiddenReason: 'reports' }] },
    { hiddenReason: 'hidden_by_moderator', hiddenByRole: byRole },
  );
}

/**
 * A moderator's decision on a case: dismiss (reports dismissed; content a report hid comes
 * back), hide, remove, warn, suspend (until a time) or ban (admins). The reports close, each
 * reporter hears the outcome (never who else reported), the reported person hears what was
 * done, and the decision is recorded with the moderator and the note.
 */
export async function decideCase(staff: Staff, caseId: string, input: { action: ReviewAction; note: string; until?: Date }) {
  const found = await ReviewCase.findById(caseId).lean();
  if (!found) throw notFound('Case');
  if (found.status !== 'open') throw new AppError('CASE_DECIDED', 'This case was already decided');
  const type = found.targetType as Target;
  const content = type === 'post' || type === 'comment';
  const { action } = input;
  // Every check before the case is taken: a refused decision leaves it open.
  if (action === 'ban' && staff.role !== 'admin') throw forbidden('Only admins ban', 'INSUFFICIENT_ROLE');
  if ((action === 'hide' || action === 'remove') && type === 'user') {
    throw new AppError('VALIDATION_FAILED', 'A profile is not hidden or removed: warn, suspend or ban its owner');
  }
  if (action === 'suspend' && !input.until) throw new AppError('VALIDATION_FAILED', 'A suspension needs until');
  const owner = await ownerOf(type, found.targetId);
  if (!owner && action !== 'dismiss') throw new AppError('NOT_FOUND', 'What was reported is gone: dismiss the case');
  if (owner) {
    // Nobody decides about themselves; moderators decide about users only (not staff).
    await assertMayActOn(staff, owner);
    if (action === 'suspend') await assertModeratorMay(staff, owner, input.until);
  }
  const taken = await ReviewCase.updateOne(
    { _id: found._id, status: 'open' },
    {
      $set: { status: 'decided', decision: { action, moderatorId: staff.id, note: input.note, at: new Date() } },
      $unset: { openKey: 1 },
    },
  );
  if (taken.modifiedCount === 0) throw new AppError('CASE_DECIDED', 'This case was already decided');
  let closed: string[];
  try {
    closed = await applyDecision(staff, found, owner, input);
  } catch (err) {
    // Nothing half-done stays decided: the case opens again for another try.
    await ReviewCase.updateOne(
      { _id: found._id, status: 'decided', 'decision.moderatorId': staff.id },
      { $set: { status: 'open', openKey: `${type}:${String(found.targetId)}` }, $unset: { decision: 1 } },
    ).catch(() => undefined);
    throw err;
  }
  await audit({
    ...(owner && { userId: owner }),
    action: 'moderation.case_decided',
    ...byStaff(staff),
    target: { type, id: String(found.targetId) },
    before: { status: 'open' },
    after: { status: 'decided', action },
    detail: { caseId, note: input.note },
  });
  tellOutcome(type, found.targetId, owner, input, content, closed);
  return caseView((await ReviewCase.findById(found._id).lean())!);
}

type CaseDoc = { _id: Types.ObjectId; targetType: string; targetId: Types.ObjectId };
type Decision = { action: ReviewAction; note: string; until?: Date };
/** What a decision does: to the content, its owner's account and the open reports; the reporters it closed for. */
async function applyDecision(staff: Staff, found: CaseDoc, owner: string | null, input: Decision): Promise<string[]> {
  const type = found.targetType as Target;
  const id = String(found.targetId);
  if (type === 'post' || type === 'comment') {
    if (input.action === 'remove') await moderateContent(staff, type, id, 'remove');
    // Dismissing brings back what reports hid, never what a moderator removed.
    if (input.action === 'dismiss' && !(await removedByModerator(type, found.targetId))) {
      await moderateContent(staff, type, id, 'restore');
    }
    if (input.action === 'hide') await hide(type, found.targetId, staff.role);
  } else if (type === 'message' && (input.action === 'hide' || input.action === 'remove')) {
    await hide(type, found.targetId, staff.role);
  }
  if (owner && input.action === 'suspend') await suspendUser(staff, owner, input.until!, input.note);
  if (owner && input.action === 'ban') await banUser(staff, owner, input.note);
  // Every report still open closes.
  const dismissed = input.action === 'dismiss';
  const open = await Report.find({ targetType: type, targetId: found.targetId, status: 'open' }, { reporterId: 1 }).lean();
  const closed: string[] = [];
  for (const report of open) {
    const res = await Report.updateOne(
      { _id: report._id, status: 'open' },
      { $set: { status: dismissed ? 'dismissed' : 'reviewed' } },
    );
    if (res.modifiedCount === 1) closed.push(String(report.reporterId));
  }
  return closed;
}

async function removedByModerator(type: 'post' | 'comment', id: Types.ObjectId): Promise<boolean> {
  const model = (type === 'post' ? Post : Comment) as typeof Post;
  return Boolean(await model.exists({ _id: id, hiddenReason: 'removed_by_moderator' }));
}

/** Each reporter hears the outcome (never who else reported); the reported person, what was done. */
function tellOutcome(
  type: Target,
  targetId: Types.ObjectId,
  owner: string | null,
  input: Decision,
  content: boolean,
  reporters: string[],
): void {
  const target = { kind: (type === 'message' ? 'conversation' : type) as TargetKind, id: String(targetId) };
  const outcome = input.action === 'dismiss' ? 'report_kept' : 'report_actioned';
  for (const reporter of reporters) {
    notifyLater({ userId: reporter, type: 'moderation', target, data: { what: WHAT[type], outcome } });
  }
  const told: Partial<Record<ReviewAction, string>> = { warn: 'warned', hide: 'hidden', suspend: 'suspended', ban: 'banned' };
  // Content removal is told by the content moderation itself.
  if (!content && input.action === 'remove') told.remove = 'removed';
  const done = told[input.action];
  if (owner && done) {
    notifyLater({
      userId: owner,
      type: 'moderation',
      target,
      data: { what: WHAT[type], outcome: done, ...(input.until && { until: input.until.toISOString() }) },
    });
  }
}
