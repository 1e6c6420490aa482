import type { Types } from 'mongoose';
import { AuditRecord } from '../models/audit-record.model.js';
import { nextCursorOf, olderThan } from './page-cursor.js';

export interface AuditEntry {
  userId?: Types.ObjectId | string;
  paymentId?: Types.ObjectId;
  action: string;
  actor: string;
  actorId?: Types.ObjectId | string;
  target?: { type: string; id: string };
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  detail?: Record<string, unknown>;
  /**
   * The request the change came through (its X-Request-Id), undefined for jobs and scripts.
   * Required, so that no call site forgets it: passed by hand, not found through an
   * AsyncLocalStorage, whose promise hooks cost every request tens of microseconds.
   */
  requestId: string | undefined;
}

/**
 * What acts without a person behind it ('checkout', 'webhook', 'reconcile', 'job'), and the
 * request it acts for.
 */
export interface AuditSource {
  actor: string;
  requestId: string | undefined;
  /** The staff member, when one acts through a service that records a source (an admin's retry of a payment event). */
  actorId?: string;
}

/** A staff member acting through a request: who, in what role, and which request. */
export interface StaffActor {
  id: string;
  role: string;
  requestId: string | undefined;
}

/**
 * An audit entry's actor fields for an act without a person. Picked, not spread: a richer
 * object passed as a source must not bring its other fields (a userId) into the entry.
 */
export const bySource = (source: AuditSource) => ({
  actor: source.actor,
  requestId: source.requestId,
  ...(source.actorId && { actorId: source.actorId }),
});

/** An audit entry's actor fields for a staff member's act. */
export const byStaff = (staff: StaffActor) => ({ actor: staff.role, actorId: staff.id, requestId: staff.requestId });

/** Writes one audit record, with the id of the request it came from (none for jobs). */
export async function audit(entry: AuditEntry): Promise<void> {
  await AuditRecord.create({ ...entry, at: new Date() });
}

export interface AuditFilter {
  userId?: string;
  actorId?: string;
  action?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
}

/** The whole trail for admins: by person, actor, action or target, in a time range, newest first. */
export async function searchAudit(filter: AuditFilter, page: { limit: number; cursor?: string }) {
  const at = { ...(filter.from && { $gte: filter.from }), ...(filter.to && { $lt: filter.to }) };
  const records = await AuditRecord.find({
    ...(filter.userId && { userId: filter.userId }),
    ...(filter.actorId && { actorId: filter.actorId }),
    ...(filter.action && { action: filter.action }),
    ...(filter.targetId && { 'target.id': filter.targetId }),
    ...(Object.keys(at).length && { at }),
    ...olderThan(page.cursor),
  })
    .sort({ _id: -1 })
    .limit(page.limit)
    .lean();
  return {
    records: records.map(({ _id, ...r }) => ({ id: String(_id), ...r })),
    nextCursor: nextCursorOf(records, page.limit),
  };
}
