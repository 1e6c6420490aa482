import type { Request, Response } from 'express';
import { closeReport, listReports, setBanned, setVerifiedBadge } from '../services/people/moderation.service.js';
import { getOwnUser, setUserRole } from '../services/people/user.service.js';
import type { Role } from '../utils/jwt.js';
import { pageOf } from './caller.js';

export async function getUser(req: Request, res: Response) {
  res.json({ user: await getOwnUser(req.input.userId as string) });
}

export async function updateRole(req: Request, res: Response) {
  const { userId, role } = req.input as { userId: string; role: 'user' | 'moderator' | 'admin' };
  await setUserRole(userId, role);
  res.json({ user: await getOwnUser(userId) });
}

export async function updateBadge(req: Request, res: Response) {
  const { userId, verifiedBadge } = req.input as { userId: string; verifiedBadge: boolean };
  await setVerifiedBadge(userId, verifiedBadge);
  res.json({ user: await getOwnUser(userId) });
}

export async function updateBan(req: Request, res: Response) {
  const { userId, banned } = req.input as { userId: string; banned: boolean };
  await setBanned(req.auth!.role as Role, userId, banned);
  res.json({ user: await getOwnUser(userId) });
}

export async function reports(req: Request, res: Response) {
  const { status = 'open' } = req.input as { status?: 'open' };
  res.json(await listReports(status, pageOf(req, 50)));
}

export async function updateReport(req: Request, res: Response) {
  const { reportId, status } = req.input as { reportId: string; status: 'reviewed' | 'dismissed' };
  await closeReport(reportId, status);
  res.status(204).end();
}
