import type { Request, Response } from 'express';
import { analyticsReport, seriesCsv } from '../services/analytics/report.js';
import { searchAudit } from '../services/audit.service.js';
import { explainCard } from '../services/match/taste/explain.service.js';
import { changeRuntimeSettings, runtimeSettingsHistory, runtimeSettingsView } from '../services/runtime-settings.service.js';
import * as users from '../services/people/admin-users.service.js';
import { closeReport, listReports } from '../services/people/moderation.service.js';
import { decideCase, listCases } from '../services/people/review-queue.service.js';
import { getOwnUser } from '../services/people/user.service.js';
import { cancelSystemNotice, listSystemNotices, scheduleSystemNotice } from '../services/notifications/system-notice.service.js';
import { inputOf, pageOf, staffOf } from './caller.js';
import * as rules from '../validators/admin.validators.js';

export async function listUsers(req: Request, res: Response) {
  const { limit: _limit, cursor: _cursor, ...filter } = inputOf(req, rules.userListRules);
  res.json(await users.listUsers(filter, pageOf(req, 100), staffOf(req)));
}

export async function getUser(req: Request, res: Response) {
  res.json(await users.readUserRecord(inputOf(req, rules.userIdRules).userId, staffOf(req)));
}

export async function updateRole(req: Request, res: Response) {
  const { userId, role } = inputOf(req, rules.roleRules);
  await users.changeRole(staffOf(req), userId, role);
  res.json({ user: await getOwnUser(userId) });
}

export async function updateBadge(req: Request, res: Response) {
  const { userId, verifiedBadge } = inputOf(req, rules.badgeRules);
  await users.setBadge(staffOf(req), userId, verifiedBadge);
  res.json({ user: await getOwnUser(userId) });
}

export async function updateBan(req: Request, res: Response) {
  const { userId, banned, reason } = inputOf(req, rules.banRules);
  if (banned) await users.banUser(staffOf(req), userId, reason ?? 'banned by an admin');
  else await users.restoreUser(staffOf(req), userId);
  res.json({ user: await getOwnUser(userId) });
}

export async function suspend(req: Request, res: Response) {
  const { userId, until, reason } = inputOf(req, rules.suspensionRules);
  await users.suspendUser(staffOf(req), userId, until, reason);
  res.json(await users.userRecord(userId, staffOf(req)));
}

export async function unsuspend(req: Request, res: Response) {
  const { userId } = inputOf(req, rules.userIdRules);
  await users.liftSuspension(staffOf(req), userId);
  res.json(await users.userRecord(userId, staffOf(req)));
}

export async function grantPlan(req: Request, res: Response) {
  const { userId, plan, until } = inputOf(req, rules.planGrantRules);
  await users.grantPlan(staffOf(req), userId, plan, until ?? null);
  res.json({ user: await getOwnUser(userId) });
}

export async function endSessions(req: Request, res: Response) {
  const { userId } = inputOf(req, rules.userIdRules);
  res.json({ ended: await users.endAllSessions(staffOf(req), userId) });
}

export async function auditLog(req: Request, res: Response) {
  const { limit: _limit, cursor: _cursor, ...filter } = inputOf(req, rules.auditSearchRules);
  res.json(await searchAudit(filter, pageOf(req, 100)));
}

export async function reports(req: Request, res: Response) {
  const { status = 'open' } = inputOf(req, rules.reportListRules);
  res.json(await listReports(staffOf(req), status, pageOf(req, 50)));
}

export async function updateReport(req: Request, res: Response) {
  const { reportId, status } = inputOf(req, rules.reportDecisionRules);
  await closeReport(staffOf(req), reportId, status);
  res.status(204).end();
}

export async function scheduleNotice(req: Request, res: Response) {
  res.status(201).json({ notice: await scheduleSystemNotice(staffOf(req), inputOf(req, rules.systemNoticeRules)) });
}

export async function notices(req: Request, res: Response) {
  res.json(await listSystemNotices(pageOf(req, 100)));
}

export async function cancelNotice(req: Request, res: Response) {
  await cancelSystemNotice(staffOf(req), inputOf(req, rules.noticeIdRules).noticeId);
  res.status(204).end();
}

export async function settings(_req: Request, res: Response) {
  res.json({ settings: await runtimeSettingsView() });
}

export async function changeSettings(req: Request, res: Response) {
  const { values, expectedVersion, note } = inputOf(req, rules.runtimeSettingsRules);
  res.json({ settings: await changeRuntimeSettings(staffOf(req), values, expectedVersion, note) });
}

export async function settingsHistory(req: Request, res: Response) {
  res.json(await runtimeSettingsHistory(inputOf(req, rules.settingsHistoryRules).limit ?? 20));
}

export async function reviewQueue(req: Request, res: Response) {
  const { targetType, limit = 20, cursor } = inputOf(req, rules.reviewListRules);
  res.json(await listCases({ limit, cursor, targetType }));
}

export async function decide(req: Request, res: Response) {
  const { caseId, action, note, until } = inputOf(req, rules.caseDecisionRules);
  // A date is taken only with a suspension (the rule checks it only then).
  const decision = { action, note, ...(action === 'suspend' && until instanceof Date && { until }) };
  res.json({ case: await decideCase(staffOf(req), caseId, decision) });
}

/** A range's figures: from the start of `from`'s day (or hour) to `to`'s, both included. */
function rangeOf(input: { from: Date; to: Date; granularity?: 'day' | 'hour' }, conversionDays = 7) {
  const granularity = input.granularity ?? 'day';
  const floor = (d: Date) =>
    new Date(
      granularity === 'hour'
        ? Math.floor(d.getTime() / 3_600_000) * 3_600_000
        : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()),
    );
  return { from: floor(input.from), to: floor(input.to), granularity, conversionDays };
}

export async function explainMatching(req: Request, res: Response) {
  const { viewerId, candidateId } = inputOf(req, rules.explainRules);
  res.json({ explanation: await explainCard(staffOf(req), viewerId, candidateId) });
}

export async function analytics(req: Request, res: Response) {
  const input = inputOf(req, rules.analyticsRules);
  res.json({ analytics: await analyticsReport(rangeOf(input, input.conversionDays ?? 7)) });
}

export async function analyticsCsv(req: Request, res: Response) {
  const input = inputOf(req, rules.analyticsSeriesRules);
  res
    .type('text/csv')
    .attachment(`${input.name}.csv`)
    .send(await seriesCsv(rangeOf(input), input.name));
}
