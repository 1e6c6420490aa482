import { Types } from 'mongoose';
import { AuditRecord } from '../../models/audit-record.model.js';
import type { PLANS } from '../../models/user.model.js';
import { User } from '../../models/user.model.js';
import { Report } from '../../models/report.model.js';
import { AppError, forbidden, notFound } from '../../utils/app-error.js';
import { escapeRegex, normaliseIdentifier } from '../../utils/text.js';
import type { Role } from '../../utils/jwt.js';
import { audit, byStaff, type StaffActor } from '../audit.service.js';
import { listSessions, revokeUserSessions } from '../auth/session.service.js';
import { setPlan } from '../connections/quota.service.js';
import { nextCursorOf, olderThan } from '../page-cursor.js';
import { toReport } from './report.service.js';
import { getOwnUser, setUserRole } from './user.service.js';
import { isInGoodStanding } from './standing.js';

/** Who acts: a staff member's id and role, from their token. */
export interface Staff extends StaffActor {
  role: Role;
}

export type AccountStatus = 'active' | 'suspended' | 'banned' | 'deleted';

export interface UserFilter {
  q?: string;
  plan?: (typeof PLANS)[number];
  status?: AccountStatus;
  country?: string;
  joinedFrom?: Date;
  joinedTo?: Date;
}

// What a change is recorded with: the fields it touched, before and after.
const AUDITED = { role: 1, plan: 1, planExpiresAt: 1, verifiedBadge: 1, bannedAt: 1, suspendedUntil: 1, suspensionReason: 1 };
type Audited = Partial<Record<keyof typeof AUDITED, unknown>>;

async function stateOf(userId: string): Promise<Audited & { role: string }> {
  const user = await User.findById(userId, AUDITED).lean();
  if (!user) throw notFound('User');
  const { _id, ...state } = user;
  return state as Audited & { role: string };
}

/** The fields that differ between two states, as each side had them. */
function changed(before: Audited, after: Audited) {
  const keys = (Object.keys(AUDITED) as (keyof Audited)[]).filter(
    (k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null),
  );
  return {
    before: Object.fromEntries(keys.map((k) => [k, before[k] ?? null])),
    after: Object.fromEntries(keys.map((k) => [k, after[k] ?? null])),
  };
}

/** Runs a change to an account and records it with the state before and after. */
async function audited(staff: Staff, userId: string, action: string, change: () => Promise<unknown>, detail?: object) {
  const before = await stateOf(userId);
  await change();
  const after = await stateOf(userId);
  await audit({
    userId,
    action,
    ...byStaff(staff),
    ...changed(before, after),
    ...(detail && { detail: detail as Record<string, unknown> }),
  });
}

/** Staff act on users only: a moderator on no staff member, nobody on themselves. */
export async function assertMayActOn(staff: Staff, userId: string): Promise<void> {
  if (staff.id === userId) throw forbidden('Staff cannot act on their own account', 'INSUFFICIENT_ROLE');
  const { role } = await stateOf(userId);
  if (staff.role !== 'admin' && role !== 'user') throw forbidden('Only admins can act on staff', 'INSUFFICIENT_ROLE');
}

function statusFilter(status: AccountStatus | undefined, now: Date): Record<string, unknown> {
  switch (status) {
    case 'deleted':
      return { deletedAt: { $ne: null } };
    case 'banned':
      return { bannedAt: { $ne: null }, deletedAt: null };
    case 'suspended':
      return { bannedAt: null, suspendedUntil: { $gt: now } };
    case 'active':
      return { bannedAt: null, $or: [{ suspendedUntil: null }, { suspendedUntil: { $lte: now } }] };
    default:
      return {};
  }
}

/**
 * Users by what staff know of them: an email (exact), an id, or the start of a username;
 * a plan, an account status, a country, a sign-up window. Newest first, by cursor.
 * Moderators find users only (staff are admins' to look up), and the list shows addresses to
 * admins only: a page of 100 must not be a way to export them. A look-up by address (does
 * this address have an account?) is audited, as opening a record is.
 */
export async function listUsers(filter: UserFilter, page: { limit: number; cursor?: string }, viewer: Staff) {
  const q = filter.q === undefined ? undefined : normaliseIdentifier(filter.q);
  const byText = !q
    ? {}
    : q.includes('@')
      ? { email: q }
      : Types.ObjectId.isValid(q) && q.length === 24
        ? { _id: new Types.ObjectId(q) }
        : { username: { $regex: `^${escapeRegex(q)}` } };
  const joined = { ...(filter.joinedFrom && { $gte: filter.joinedFrom }), ...(filter.joinedTo && { $lt: filter.joinedTo }) };
  const users = await User.find(
    {
      ...byText,
      ...(filter.plan && { plan: filter.plan }),
      ...(filter.country && { country: filter.country }),
      ...(Object.keys(joined).length && { createdAt: joined }),
      ...statusFilter(filter.status, new Date()),
      ...(viewer.role !== 'admin' && { role: 'user' }),
      ...olderThan(page.cursor),
    },
    {
      username: 1,
      email: 1,
      firstName: 1,
      lastName: 1,
      role: 1,
      plan: 1,
      country: 1,
      bannedAt: 1,
      suspendedUntil: 1,
      deletedAt: 1,
      createdAt: 1,
    },
  )
    .sort({ _id: -1 })
    .limit(page.limit)
    .lean();
  if (q?.includes('@')) {
    await audit({ action: 'admin.user_looked_up', ...byStaff(viewer), detail: { email: q, found: users.length } });
  }
  const admin = viewer.role === 'admin';
  const now = new Date();
  return {
    users: users.map((u) => ({
      id: String(u._id),
      username: u.username,
      ...(admin && { email: u.email }),
      firstName: u.firstName,
      lastName: u.lastName,
      role: u.role,
      plan: u.plan,
      country: u.country ?? null,
      status: u.deletedAt
        ? 'deleted'
        : u.bannedAt
          ? 'banned'
          : u.suspendedUntil && u.suspendedUntil > now
            ? 'suspended'
            : 'active',
      createdAt: u.createdAt,
    })),
    nextCursor: nextCursorOf(users, page.limit),
  };
}

/**
 * A staff member opens a user's record (GET /admin/users/:id). It shows private details
 * (email, phone, birth date): every reading is audited, and a moderator reads no other staff
 * member's record (they act on users only).
 */
export async function readUserRecord(userId: string, viewer: Staff) {
  if (viewer.role !== 'admin' && viewer.id !== userId && (await stateOf(userId)).role !== 'user') {
    throw forbidden('Only admins read the records of staff', 'INSUFFICIENT_ROLE');
  }
  const record = await userRecord(userId, viewer);
  await audit({ userId: new Types.ObjectId(userId), action: 'admin.user_viewed', ...byStaff(viewer) });
  return record;
}

/**
 * One user for staff: the account, the reports about them, their signed-in sessions and
 * recent audit trail. Moderators see no reporter, no IP address and no trail (admins'
 * reading), and none of the person's contact details or exact location: they judge what
 * was done; reaching the person is support's (admins'), and record by record it would
 * otherwise be an export.
 */
export async function userRecord(userId: string, viewer: Staff) {
  const admin = viewer.role === 'admin';
  const [user, reports, sessions, trail, suspension] = await Promise.all([
    getOwnUser(userId),
    Report.find({ targetType: 'user', targetId: userId }).sort({ _id: -1 }).limit(20).lean(),
    listSessions(userId, undefined),
    // Readings of the record are in the full trail (/admin/audit), not among its last acts.
    AuditRecord.find({ userId, action: { $ne: 'admin.user_viewed' } })
      .sort({ _id: -1 })
      .limit(20)
      .lean(),
    User.findById(userId, { bannedAt: 1, suspendedUntil: 1, suspensionReason: 1, lastActiveAt: 1, deletedAt: 1 }).lean(),
  ]);
  const { email: _email, phone: _phone, location: _location, ...forModerators } = user;
  return {
    user: admin ? user : forModerators,
    standing: {
      bannedAt: suspension?.bannedAt ?? null,
      suspendedUntil: suspension?.suspendedUntil ?? null,
      suspensionReason: suspension?.suspensionReason ?? null,
      deletedAt: suspension?.deletedAt ?? null,
      lastActiveAt: suspension?.lastActiveAt ?? null,
    },
    reports: reports.map((r) => ({ ...toReport(r), ...(admin && { reporterId: String(r.reporterId) }) })),
    sessions: admin ? sessions : sessions.map(({ ip: _ip, ...s }) => s),
    recentActivity: admin ? trail.map(({ _id, ...r }) => ({ id: String(_id), ...r })) : [],
  };
}

/** The longest suspension a moderator may give: longer ones, and bans, are admins' decisions. */
export const MODERATOR_MAX_SUSPENSION_DAYS = 30;

/**
 * A moderator may not change what an admin decided: a ban, or a suspension an admin set
 * (nor give one longer than MODERATOR_MAX_SUSPENSION_DAYS).
 */
export async function assertModeratorMay(staff: Staff, userId: string, until?: Date): Promise<void> {
  if (staff.role === 'admin') return;
  const standing = await User.findById(userId, { bannedAt: 1, suspendedUntil: 1, suspendedByRole: 1 }).lean();
  if (standing?.bannedAt) throw forbidden('Only admins change a ban', 'INSUFFICIENT_ROLE');
  const adminSuspension =
    standing?.suspendedUntil && standing.suspendedUntil > new Date() && standing.suspendedByRole === 'admin';
  if (adminSuspension) throw forbidden('Only admins change a suspension an admin set', 'INSUFFICIENT_ROLE');
  if (until && until.getTime() > Date.now() + MODERATOR_MAX_SUSPENSION_DAYS * 86_400_000) {
    throw forbidden(`Moderators suspend for at most ${MODERATOR_MAX_SUSPENSION_DAYS} days`, 'INSUFFICIENT_ROLE');
  }
}

/** A suspension for a period, with its reason: sign-in refused until then, every session ended now. */
export async function suspendUser(staff: Staff, userId: string, until: Date, reason: string): Promise<void> {
  await assertMayActOn(staff, userId);
  await assertModeratorMay(staff, userId, until);
  await audited(staff, userId, 'admin.user_suspended', async () => {
    await User.updateOne(
      { _id: userId },
      { $set: { suspendedUntil: until, suspensionReason: reason, suspendedByRole: staff.role } },
    );
    await revokeUserSessions(userId, 'suspended');
  });
}

/** Lifts a suspension (not a ban: that is an admin's, through the ban route). */
export async function liftSuspension(staff: Staff, userId: string): Promise<void> {
  await assertMayActOn(staff, userId);
  await assertModeratorMay(staff, userId);
  await audited(staff, userId, 'admin.suspension_lifted', () =>
    User.updateOne({ _id: userId }, { $unset: { suspendedUntil: 1, suspensionReason: 1, suspendedByRole: 1 } }),
  );
}

/** A ban (admins only): no end, every session ended. */
export async function banUser(staff: Staff, userId: string, reason: string): Promise<void> {
  await assertMayActOn(staff, userId);
  await audited(
    staff,
    userId,
    'admin.user_banned',
    async () => {
      await User.updateOne({ _id: userId }, { $set: { bannedAt: new Date(), suspensionReason: reason } });
      await revokeUserSessions(userId, 'banned');
    },
    { reason },
  );
}

/** Lifts a ban and any suspension (admins: the ban route). */
export async function restoreUser(staff: Staff, userId: string): Promise<void> {
  await assertMayActOn(staff, userId);
  if (staff.role !== 'admin') throw forbidden('Only admins lift a ban', 'INSUFFICIENT_ROLE');
  await audited(staff, userId, 'admin.user_restored', () =>
    User.updateOne(
      { _id: userId, deletedAt: null },
      { $unset: { bannedAt: 1, suspendedUntil: 1, suspensionReason: 1, suspendedByRole: 1 } },
    ),
  );
}

export async function setBadge(staff: Staff, userId: string, verifiedBadge: boolean): Promise<void> {
  await assertMayActOn(staff, userId);
  // The admin's decision from now on: a plan's start or end no longer gives or takes it (badgeChange).
  await audited(staff, userId, 'admin.badge_changed', () =>
    User.updateOne({ _id: userId }, { $set: { verifiedBadge, badgeFromPlan: false, badgeByStaff: true } }),
  );
}

export async function changeRole(staff: Staff, userId: string, role: Role): Promise<void> {
  if (staff.id === userId) throw new AppError('VALIDATION_FAILED', 'Admins cannot change their own role');
  await audited(staff, userId, 'admin.role_changed', () => setUserRole(userId, role));
}

/** A plan given by an admin (support, partners), until a date; recorded as an admin grant. */
export async function grantPlan(staff: Staff, userId: string, plan: (typeof PLANS)[number], until: Date | null): Promise<void> {
  // Nobody grants themselves a plan or a badge.
  await assertMayActOn(staff, userId);
  await audited(staff, userId, 'admin.plan_granted', () => setPlan(userId, plan, plan === 'free' ? null : until), {
    grant: 'admin',
  });
}

/** Ends every session of an account (a stolen device, a compromised password). */
export async function endAllSessions(staff: Staff, userId: string): Promise<number> {
  await assertMayActOn(staff, userId);
  const ended = await revokeUserSessions(userId, 'ended_by_staff');
  await audit({ userId, action: 'admin.sessions_ended', ...byStaff(staff), detail: { ended } });
  return ended;
}

/** Which of these people are admins in good standing now (a token's role may be stale). */
export async function adminsAmong(userIds: string[]): Promise<Set<string>> {
  const admins = new Set<string>();
  for (const id of userIds) {
    const user = await User.findById(id, { role: 1, bannedAt: 1, suspendedUntil: 1 }).lean();
    if (user?.role === 'admin' && isInGoodStanding(user)) admins.add(id);
  }
  return admins;
}
