import type { Types } from 'mongoose';
import { config } from '../../config/index.js';
import { Payment } from '../../models/payment.model.js';
import { User } from '../../models/user.model.js';
import { logger } from '../../utils/logger.js';
import { sendMail } from '../mail/mail.service.js';
import { BADGE_FIELDS, badgeChange, planInForce, planRank, type Plan } from '../connections/quota.service.js';
import { audit, type AuditSource, bySource } from '../audit.service.js';
import { notifyLater } from '../notifications/notification.service.js';
import { sendAccessChanged } from '../chat/send-access.js';

const MEMBERSHIP_FIELDS = {
  plan: 1,
  planExpiresAt: 1,
  ...BADGE_FIELDS,
  membershipPaymentIds: 1,
  deletedAt: 1,
} as const;
// A membership write races only with another of the same user's; a few tries settle it.
const ATTEMPTS = 8;

export interface Granted {
  plan: Plan;
  from: Date;
  until: Date;
}

function addMonths(date: Date, months: number): Date {
  const d = new Date(date);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}

/**
 * Adds what a payment bought to its user's membership, once: the payment's id goes into
 * the user's list in the same conditional write that changes the plan, so a second call
 * for the same payment (a retried webhook, verify and webhook together) finds it and stops.
 * A renewal extends from the running expiry; an upgrade starts now; a lower plan paid
 * while a higher one runs lengthens the higher one by what the money buys of it (an order
 * for it is refused, but one made before an upgrade can still be paid after it: a month of
 * Gold must not become a month of Premium).
 */
export async function grantMembership(
  payment: { _id: Types.ObjectId; userId: Types.ObjectId; plan: string; months: number; amount: number },
  source: AuditSource,
): Promise<(Granted & { already: boolean }) | 'deleted' | null> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const user = await User.findById(payment.userId, MEMBERSHIP_FIELDS).lean();
    if (!user) return null;
    if (user.membershipPaymentIds?.some((id) => id.equals(payment._id))) return alreadyGranted(payment._id);
    // Deleted before the payment came through (checked again by the write: a deletion racing it).
    if (user.deletedAt) return 'deleted';
    const now = new Date();
    const current = planInForce(user, now);
    const bought = payment.plan as Plan;
    const extendsCurrent = current !== 'free' && planRank(current) >= planRank(bought);
    const plan = extendsCurrent ? current : bought;
    const from = extendsCurrent ? user.planExpiresAt! : now;
    const until = plan === bought ? addMonths(from, payment.months) : worthOf(plan, payment, from);
    // Noted on the payment before the user write: if the process dies after that write,
    // the retry finds the payment applied and takes what it bought from here.
    await Payment.updateOne({ _id: payment._id }, { $set: { grantPlanned: { plan, from, until } } });
    const res = await User.updateOne(
      {
        _id: payment.userId,
        plan: user.plan ?? null,
        planExpiresAt: user.planExpiresAt ?? null,
        membershipPaymentIds: { $ne: payment._id },
        deletedAt: null,
      },
      { $set: { plan, planExpiresAt: until, ...badgeChange(plan, user) }, $push: { membershipPaymentIds: payment._id } },
    );
    if (res.modifiedCount === 1) {
      await audit({
        userId: payment.userId,
        paymentId: payment._id,
        action: 'membership.granted',
        ...bySource(source),
        detail: { plan, from, until },
      });
      notifyLater({ userId: String(payment.userId), type: 'membership_granted', data: { plan, until: until.toISOString() } });
      return { plan, from, until, already: false };
    }
  }
  throw new Error(`membership of ${String(payment.userId)} kept changing; payment ${String(payment._id)} not yet granted`);
}

/**
 * The time of a higher plan a lower plan's payment buys from `from`: its period scaled by
 * what was paid against that plan's price for as many months (at its cheapest monthly rate
 * when it has no such period), never more than the period itself. A plan with no price at
 * all (only ever granted) counts the payment at its own length.
 */
function worthOf(plan: Plan, payment: { months: number; amount: number }, from: Date): Date {
  const prices = Object.entries(config.payments.prices[plan as Exclude<Plan, 'free'>]).map(([months, amount]) => ({
    months: Number(months),
    amount,
  }));
  const cheapestMonthly = Math.min(...prices.map((p) => p.amount / p.months));
  const price = prices.find((p) => p.months === payment.months)?.amount ?? cheapestMonthly * payment.months;
  const share = Number.isFinite(price) && price > 0 ? Math.min(1, payment.amount / price) : 1;
  const period = addMonths(from, payment.months).getTime() - from.getTime();
  return new Date(from.getTime() + Math.floor(period * share));
}

/** What an already applied payment bought (the plan noted before its user write). */
async function alreadyGranted(paymentId: Types.ObjectId): Promise<(Granted & { already: boolean }) | null> {
  const planned = (await Payment.findById(paymentId, { grantPlanned: 1 }).lean())?.grantPlanned;
  if (!planned?.plan || !planned.from || !planned.until) return null;
  return { plan: planned.plan as Plan, from: planned.from, until: planned.until, already: true };
}

/** A full refund: the time that payment added comes off the membership (all of it if nothing else remains). */
export async function revokeMembership(paymentId: Types.ObjectId, source: AuditSource): Promise<void> {
  const claimed = await Payment.updateOne(
    { _id: paymentId, grantedAt: { $ne: null }, revokedAt: null },
    { $set: { revokedAt: new Date() } },
  );
  if (claimed.modifiedCount !== 1) return;
  const payment = await Payment.findById(paymentId, { userId: 1, granted: 1 }).lean();
  if (!payment?.granted?.from || !payment.granted.until) return;
  const bought = payment.granted.until.getTime() - payment.granted.from.getTime();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const user = await User.findById(payment.userId, MEMBERSHIP_FIELDS).lean();
    if (!user?.planExpiresAt) return;
    const now = new Date();
    const until = new Date(user.planExpiresAt.getTime() - bought);
    const update =
      until > now
        ? { $set: { planExpiresAt: until } }
        : { $set: { plan: 'free', ...badgeChange('free', user) }, $unset: { planExpiresAt: 1 } };
    const res = await User.updateOne({ _id: user._id, plan: user.plan, planExpiresAt: user.planExpiresAt }, update);
    if (res.modifiedCount === 1) {
      // A shorter plan may no longer allow chat.
      sendAccessChanged({ userIds: [String(user._id)] });
      await audit({
        userId: user._id,
        paymentId,
        action: 'membership.refunded',
        ...bySource(source),
        detail: until > now ? { until } : { plan: 'free' },
      });
      return;
    }
  }
  logger.error('membership refund did not settle', { paymentId: String(paymentId) });
}

/** Paid plans past their expiry become free, each once (conditional on the expiry seen). */
export async function expireMemberships(now = new Date()): Promise<number> {
  let expired = 0;
  for (const plan of ['gold', 'premium'] as const) {
    const due = await User.find({ plan, planExpiresAt: { $lte: now } }, { planExpiresAt: 1, ...BADGE_FIELDS }).lean();
    for (const user of due) {
      const res = await User.updateOne(
        { _id: user._id, plan, planExpiresAt: user.planExpiresAt },
        { $set: { plan: 'free', ...badgeChange('free', user) }, $unset: { planExpiresAt: 1 } },
      );
      if (res.modifiedCount !== 1) continue;
      expired++;
      await audit({
        userId: user._id,
        action: 'membership.expired',
        actor: 'job',
        requestId: undefined,
        detail: { plan, expiredAt: user.planExpiresAt },
      });
      notifyLater({ userId: String(user._id), type: 'membership_expired', data: { plan } });
    }
  }
  return expired;
}

/** One email per expiry, `reminderDays` before it: claimed by writing the expiry it is for. */
export async function remindExpiring(now = new Date()): Promise<number> {
  const horizon = new Date(now.getTime() + config.payments.reminderDays * 86_400_000);
  let sent = 0;
  for (const plan of ['gold', 'premium'] as const) {
    const soon = await User.find(
      // Not to a banned or deleted account: it hears nothing more (a shell's address bounces).
      { plan, planExpiresAt: { $gt: now, $lte: horizon }, bannedAt: null },
      { planExpiresAt: 1, planReminderFor: 1, email: 1, firstName: 1 },
    ).lean();
    for (const user of soon) {
      if (user.planReminderFor?.getTime() === user.planExpiresAt?.getTime()) continue;
      const res = await User.updateOne(
        { _id: user._id, planExpiresAt: user.planExpiresAt, planReminderFor: user.planReminderFor ?? null },
        { $set: { planReminderFor: user.planExpiresAt } },
      );
      if (res.modifiedCount !== 1) continue;
      await sendMail('membershipReminder', user.email, {
        firstName: user.firstName,
        plan,
        expiresAt: user.planExpiresAt!.toUTCString(),
        link: `${config.appUrl}/membership`,
      });
      notifyLater({
        userId: String(user._id),
        type: 'membership_expiring',
        data: { plan, expiresAt: user.planExpiresAt!.toISOString() },
      });
      sent++;
    }
  }
  return sent;
}

/** The membership as its owner sees it. */
export async function membershipOf(userId: string) {
  const user = await User.findById(userId, { plan: 1, planExpiresAt: 1, verifiedBadge: 1 }).lean();
  const plan = user ? planInForce(user) : 'free';
  return {
    plan,
    expiresAt: plan === 'free' ? null : (user?.planExpiresAt ?? null),
    badge: Boolean(user?.verifiedBadge),
    grants: config.plans[plan],
  };
}
