import { withJobLock } from '../services/job-lock.js';
import { expireMemberships, remindExpiring } from '../services/payments/membership.service.js';
import { reconcilePayments } from '../services/payments/reconcile.service.js';
import { finishStoredEvents } from '../services/payments/webhook.service.js';
import { logger } from '../utils/logger.js';
import { scheduleJob } from './schedule.js';

const LEASE_MS = 10 * 60_000;

export interface MembershipJobResult {
  expired: number;
  reminded: number;
  reconciled: number;
  events: number;
}

/** Expiry, reminders, reconciliation and left-over webhook events, by one process at a time. */
export async function runMembershipJob(now = new Date()): Promise<MembershipJobResult | null> {
  let result: MembershipJobResult | null = null;
  await withJobLock('membership', LEASE_MS, async () => {
    result = {
      expired: await expireMemberships(now),
      reminded: await remindExpiring(now),
      reconciled: await reconcilePayments(now),
      events: await finishStoredEvents(now),
    };
    logger.info('membership job done', { ...result });
  });
  return result;
}

export const scheduleMembershipJob = (expression: string) => scheduleJob(expression, 'membership job', runMembershipJob);
