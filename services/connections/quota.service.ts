import { runtime } from '../runtime-settings.service.js';
import { config } from '../../config/index.js';
import { QuotaCounter } from '../../models/quota-counter.model.js';
import { User, type PLANS } from '../../models/user.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { nextUtcMidnight, utcDay } from '../../utils/clock.js';
import { sendAccessChanged } from '../chat/send-access.js';
import { takeFromDailyCounter } from '../limits/daily-counter.js';

export type Plan = (typeof PLANS)[number];

export interface Quota {
  plan: Plan;
  /** null: unlimited. */
  limit: number | null;
  used: number;
  remaining: number | null;
  resetAt: Date;
}

/** The plan in force: a paid plan past its expiry is free again. */
export function planInForce(user: { plan?: string | null; planExpiresAt?: Date | null }, now = new Date()): Plan {
  const plan = (user.plan ?? 'free') as Plan;
  if (plan === 'free' || !(plan in config.plans)) return 'free';
  return user.planExpiresAt && user.planExpiresAt > now ? plan : 'free';
}

/** A plan's connection requests a day, as admins set it now (null: no limit). */
function dailyRequestsOf(plan: Plan): number | null {
  if (plan === 'free') return runtime().freeDailyRequests;
  if (plan === 'gold') return runtime().goldDailyRequests;
  return config.plans[plan].dailyRequests;
}

async function planOf(userId: string, now: Date): Promise<Plan> {
  const user = await User.findById(userId, { plan: 1, planExpiresAt: 1 }).lean();
  if (!user) throw notFound('User');
  return planInForce(user, now);
}

export async function getQuota(userId: string, now = new Date()): Promise<Quota> {
  const plan = await planOf(userId, now);
  const limit = dailyRequestsOf(plan);
  const counter = await QuotaCounter.findById(`${userId}:${utcDay(now)}`, { used: 1 }).lean();
  const used = counter?.used ?? 0;
  return { plan, limit, used, remaining: limit === null ? null : Math.max(0, limit - used), resetAt: nextUtcMidnight(now) };
}

/** Takes one connection request from today's quota, or refuses with 429 QUOTA_EXCEEDED. */
export async function consumeRequest(userId: string, now = new Date()): Promise<void> {
  const plan = await planOf(userId, now);
  const limit = dailyRequestsOf(plan);
  if (limit === null) return;
  if (await takeFromDailyCounter(userId, userId, limit, now)) return;
  throw new AppError('QUOTA_EXCEEDED', `Your ${plan} plan allows ${limit} requests a day`, {
    limit,
    remaining: 0,
    resetAt: nextUtcMidnight(now).toISOString(),
  });
}

const RANK: Record<Plan, number> = { free: 0, gold: 1, premium: 2 };

/** Orders plans: free < gold < premium. */
export const planRank = (plan: Plan) => RANK[plan];

/** What badgeChange reads of a user. */
export const BADGE_FIELDS = { verifiedBadge: 1, badgeFromPlan: 1, badgeByStaff: 1 } as const;

/**
 * The badge fields a move to `plan` writes: Premium brings the blue tick (marked as the
 * plan's); leaving it takes away only a tick the plan brought. A badge an admin gave or took
 * away stays as they left it, whatever the plan does.
 */
export function badgeChange(
  plan: Plan,
  user: { verifiedBadge?: boolean | null; badgeFromPlan?: boolean | null; badgeByStaff?: boolean | null } | null,
) {
  if (user?.badgeByStaff) return {};
  if (config.plans[plan].badge) return user?.verifiedBadge ? {} : { verifiedBadge: true, badgeFromPlan: true };
  return user?.badgeFromPlan ? { verifiedBadge: false, badgeFromPlan: false } : {};
}

/** Sets a plan until `expiresAt`, by hand (the set-plan script); payments go through membership.service. */
export async function setPlan(userId: string, plan: Plan, expiresAt: Date | null): Promise<void> {
  const user = await User.findById(userId, BADGE_FIELDS).lean();
  const $set = { plan, ...badgeChange(plan, user) };
  const update = expiresAt ? { $set: { ...$set, planExpiresAt: expiresAt } } : { $set, $unset: { planExpiresAt: 1 } };
  const res = await User.updateOne({ _id: userId }, update);
  if (res.matchedCount === 0) throw notFound('User');
  sendAccessChanged({ userIds: [userId] });
}
