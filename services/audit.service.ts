import type { Types } from 'mongoose';
import { AuditRecord } from '../models/audit-record.model.js';
import { nextCursorOf, olderThan } from './page-cursor.js';

export interface AuditEntry {
  userId?: Types.ObjectId;
  paymentId?: Types.ObjectId;
  action: string;
  actor: string;
  detail?: Record<string, unknown>;
}

/** Writes one audit record (payments, memberships, sign-ins, linked accounts). */
export async function audit(entry: AuditEntry): Promise<void> {
  await AuditRecord.create({ ...entry, at: new Date() });
}

/** The audit trail, newest first, a page at a time (admins); one user's when asked. */
export async function auditTrail(page: { limit: number; cursor?: string; userId?: string }) {
  const records = await AuditRecord.find({
    ...(page.userId && { userId: page.userId }),
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
