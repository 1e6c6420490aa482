import type { Request, Response } from 'express';
import { closeReport, listReports, setBanned, setVerifiedBadge } from '../services/people/moderation.service.js';
import { getOwnUser, setUserRole } from '../services/people/user.service.js';
import { cancelSystemNotice, listSystemNotices, scheduleSystemNotice } from '../services/notifications/system-notice.service.js';
import { callerId, inputOf, pageOf, roleOf } from './caller.js';
import * as rules from '../validators/admin.validators.js';

export async function getUser(req: Request, res: Response) {
  res.json({ user: await getOwnUser(inputOf(req, rules.userIdRules).userId) });
}

export async function updateRole(req: Request, res: Response) {
  const { userId, role } = inputOf(req, rules.roleRules);
  await setUserRole(userId, role);
  res.json({ user: await getOwnUser(userId) });
}

export async function updateBadge(req: Request, res: Response) {
  const { userId, verifiedBadge } = inputOf(req, rules.badgeRules);
  await setVerifiedBadge(userId, verifiedBadge);
  res.json({ user: await getOwnUser(userId) });
}

export async function updateBan(req: Request, res: Response) {
  const { userId, banned } = inputOf(req, rules.banRules);
  await setBanned(roleOf(req), userId, banned);
  res.json({ user: await getOwnUser(userId) });
}

export async function reports(req: Request, res: Response) {
  const { status = 'open' } = inputOf(req, rules.reportListRules);
  res.json(await listReports(status, pageOf(req, 50)));
}

export async function updateReport(req: Request, res: Response) {
  const { reportId, status } = inputOf(req, rules.reportDecisionRules);
  await closeReport(reportId, status);
  res.status(204).end();
}

export async function scheduleNotice(req: Request, res: Response) {
  res.status(201).json({ notice: await scheduleSystemNotice(callerId(req), inputOf(req, rules.systemNoticeRules)) });
}

export async function notices(req: Request, res: Response) {
  res.json(await listSystemNotices(pageOf(req, 100)));
}

export async function cancelNotice(req: Request, res: Response) {
  await cancelSystemNotice(inputOf(req, rules.noticeIdRules).noticeId);
  res.status(204).end();
}
