import type { Request, Response } from 'express';
import { getOwnUser, setUserRole } from '../services/user.service.js';

export async function getUser(req: Request, res: Response) {
  res.json({ user: await getOwnUser(req.input.userId as string) });
}

export async function updateRole(req: Request, res: Response) {
  const { userId, role } = req.input as { userId: string; role: 'user' | 'moderator' | 'admin' };
  await setUserRole(userId, role);
  res.json({ user: await getOwnUser(userId) });
}
