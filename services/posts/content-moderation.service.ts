import { ReviewCase } from '../../models/review-case.model.js';
import { audit, byStaff } from '../audit.service.js';
import { assertMayActOn, type Staff } from '../people/admin-users.service.js';
import { ownerOf } from '../people/report-target.js';
import { config } from '../../config/index.js';
import { Comment } from '../../models/comment.model.js';
import { Post } from '../../models/post.model.js';
import { Report } from '../../models/report.model.js';
import { hideContent, showContent } from './content-hiding.js';
import { User } from '../../models/user.model.js';
import { AppError, forbidden, notFound } from '../../utils/app-error.js';
import { getVisiblePost } from './post.service.js';
import { notifyLater } from '../notifications/notification.service.js';

export type ContentTarget = 'post' | 'comment';
const modelOf = (type: ContentTarget) => (type === 'post' ? Post : Comment) as typeof Post;

const cannotReportOwn = () => new AppError('CANNOT_REPORT_SELF', 'You cannot report your own content');

/** A reporter may only report what they can see, and not their own: a visible post, or a comment under one. */
export async function assertReportable(reporterId: string, type: ContentTarget, id: string): Promise<void> {
  if (type === 'post') {
    const post = await getVisiblePost(reporterId, id);
    if (String(post.authorId) === reporterId) throw cannotReportOwn();
    return;
  }
  const comment = await Comment.findOne({ _id: id, deletedAt: null }, { postId: 1, authorId: 1 }).lean();
  if (!comment) throw notFound('Comment');
  if (String(comment.authorId) === reporterId) throw cannotReportOwn();
  await getVisiblePost(reporterId, String(comment.postId));
}

/**
 * Whether a reporter's report counts toward hiding content: a verified address, an account
 * older than the configured age, not banned, and no report against them that a moderator
 * upheld (an open one does not count: anyone could file one to silence a reporter). Throwaway accounts can still report (moderators read every report); they cannot
 * hide anything by themselves.
 */
export async function isTrustedReporter(reporterId: string): Promise<boolean> {
  const [user, reported] = await Promise.all([
    User.findById(reporterId, { emailVerified: 1, createdAt: 1, bannedAt: 1 }).lean(),
    Report.exists({ targetType: 'user', targetId: reporterId, status: 'reviewed' }),
  ]);
  if (!user || !user.emailVerified || user.bannedAt || reported) return false;
  return Date.now() - user.createdAt.getTime() >= config.posts.reportTrustMinAccountMs;
}

/**
 * Past the configured number of distinct trusted reporters (one report each, by the
 * unique key), a post or comment is hidden until a moderator decides.
 */
export async function hideIfReportedEnough(type: ContentTarget, id: string): Promise<boolean> {
  const reporters = await Report.countDocuments({ targetType: type, targetId: id, status: 'open', trusted: true });
  if (reporters < config.posts.reportHideThreshold) return false;
  return hideContent(type, { _id: id, hiddenAt: null }, { hiddenReason: 'reports' });
}

/**
 * A moderator's decision on reported content: restore it (reports dismissed) or remove it
 * for good (reports reviewed; it stays hidden, marked removed). Nobody decides on their own
 * content, moderators not on staff's (as in the review queue), nor undo what an admin hid
 * or removed. Every decision that changed anything (the content, a case, a report) is audited.
 */
export async function moderateContent(
  staff: Staff,
  type: ContentTarget,
  id: string,
  action: 'restore' | 'remove',
): Promise<void> {
  const owner = await ownerOf(type, id);
  if (owner) await assertMayActOn(staff, owner);
  const model = modelOf(type);
  // A moderator restores what reports hid or a moderator did; anything else hidden by staff
  // is an admin's to undo (including decisions from before roles were recorded).
  const moderatorMayRestore = { $or: [{ hiddenReason: 'reports' }, { hiddenByRole: 'moderator' }] };
  if (
    action === 'restore' &&
    staff.role !== 'admin' &&
    (await model.exists({ _id: id, hiddenAt: { $ne: null }, $nor: [moderatorMayRestore] }))
  ) {
    throw forbidden('Only admins undo what an admin hid or removed', 'INSUFFICIENT_ROLE');
  }
  // Conditional on the state changing: a repeated decision (a double click) changes and tells nothing.
  const changed =
    action === 'restore'
      ? // An admin's hiding that came between the check and here stands.
        await showContent(type, { _id: id, hiddenAt: { $ne: null }, ...(staff.role !== 'admin' && moderatorMayRestore) })
      : await hideContent(
          type,
          // A moderator's removal takes over only what they could restore (else it stays hidden,
          // the admin's: taken over, it would be the moderator's to restore).
          {
            _id: id,
            hiddenReason: { $ne: 'removed_by_moderator' },
            ...(staff.role !== 'admin' && { $or: [{ hiddenAt: null }, ...moderatorMayRestore.$or] }),
          },
          { hiddenReason: 'removed_by_moderator', hiddenByRole: staff.role },
        );
  if (!changed && !(await model.exists({ _id: id }))) throw notFound(type === 'post' ? 'Post' : 'Comment');
  // An open review case of it is decided by this too: dismissing it later must not undo this.
  const cases = await ReviewCase.updateMany(
    { openKey: `${type}:${id}` },
    {
      $set: {
        status: 'decided',
        decision: {
          action: action === 'remove' ? 'remove' : 'dismiss',
          moderatorId: staff.id,
          note: 'decided on the content',
          at: new Date(),
        },
      },
      $unset: { openKey: 1 },
    },
  );
  // Each open report closed one by one: only the reporters whose report this decision closed
  // hear of it (two moderators at once do not tell anyone twice, or two different outcomes).
  const open = await Report.find({ targetType: type, targetId: id, status: 'open' }, { reporterId: 1 }).lean();
  const closedFor: string[] = [];
  for (const report of open) {
    const closed = await Report.updateOne(
      { _id: report._id, status: 'open' },
      { $set: { status: action === 'restore' ? 'dismissed' : 'reviewed' } },
    );
    if (closed.modifiedCount === 1) closedFor.push(String(report.reporterId));
  }
  // A restore of something visible changes nothing on it, yet closes its reports (and those
  // reporters may not report it again): that is a decision, and on the record too.
  if (changed || cases.modifiedCount > 0 || closedFor.length > 0) {
    const visibleBefore = changed ? action === 'remove' : action === 'restore';
    await audit({
      action: `moderation.${type}_${action === 'remove' ? 'removed' : 'restored'}`,
      ...byStaff(staff),
      target: { type, id },
      before: { visible: visibleBefore },
      after: { visible: action === 'restore' },
      detail: { casesDecided: cases.modifiedCount, reportsClosed: closedFor.length },
    });
  }
  await tellOfDecision(type, id, action, changed, closedFor);
}

/**
 * The decision, told: the author when their content was removed or put back (a change, not a
 * repeat), and each person whose open report it closed. Nobody learns who reported.
 */
async function tellOfDecision(
  type: ContentTarget,
  id: string,
  action: 'restore' | 'remove',
  changed: boolean,
  reporters: string[],
) {
  const what = type === 'post' ? 'post' : 'comment';
  const target = { kind: type, id };
  // The outcome, not its words: each reader's language writes it (notifications/templates.ts).
  const reported = action === 'remove' ? 'report_removed' : 'report_kept';
  for (const userId of new Set(reporters)) {
    notifyLater({ userId, type: 'moderation', target, data: { what, outcome: reported } });
  }
  if (!changed) return;
  const content = await modelOf(type)
    .findById(id, { authorId: 1, deletedAt: 1 })
    .lean<{ authorId?: unknown; deletedAt?: Date }>();
  // Content its author deleted is no news to them, whatever a moderator does with it.
  if (content?.deletedAt) return;
  const outcome = action === 'remove' ? 'removed' : 'restored';
  if (content?.authorId) notifyLater({ userId: String(content.authorId), type: 'moderation', target, data: { what, outcome } });
}
