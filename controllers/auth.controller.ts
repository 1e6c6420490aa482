import type { Request, Response } from 'express';
import * as auth from '../services/auth/auth.service.js';
import { listSessions as listOwnSessions } from '../services/auth/session.service.js';
import { getOwnUser } from '../services/people/user.service.js';
import { AppError } from '../utils/app-error.js';
import { clearAuthCookies, clientInfo, readRefreshToken, sendSession } from './auth.cookies.js';

/** The signed-in caller; routes put authenticate in front, so this is a programming guard. */
const caller = (req: Request) => {
  if (!req.auth) throw new AppError(401, 'UNAUTHORIZED', 'Authentication required');
  return req.auth;
};

export async function signup(req: Request, res: Response) {
  const result = await auth.signup(req.input as unknown as auth.SignupInput, clientInfo(req));
  sendSession(req, res, result, 201);
}

export async function login(req: Request, res: Response) {
  const { identifier, password } = req.input as { identifier: string; password: string };
  sendSession(req, res, await auth.login(identifier, password, clientInfo(req)));
}

export async function refresh(req: Request, res: Response) {
  const token = readRefreshToken(req);
  if (!token) throw new AppError(401, 'INVALID_REFRESH_TOKEN', 'Refresh token is missing');
  sendSession(req, res, await auth.refresh(token, clientInfo(req)));
}

export async function logout(req: Request, res: Response) {
  await auth.logout(req.auth?.sid, readRefreshToken(req));
  clearAuthCookies(res);
  res.status(204).end();
}

export async function logoutAll(req: Request, res: Response) {
  const revoked = await auth.logoutAll(caller(req).sub);
  clearAuthCookies(res);
  res.json({ revokedSessions: revoked });
}

export async function me(req: Request, res: Response) {
  res.json({ user: await getOwnUser(caller(req).sub) });
}

export async function verifyEmail(req: Request, res: Response) {
  res.json({ user: await auth.verifyEmail(req.input.token as string, req.auth, req.input.password as string | undefined) });
}

export async function resendVerification(req: Request, res: Response) {
  await auth.resendVerification(caller(req).sub);
  res.status(202).json({ sent: true });
}

export async function forgotPassword(req: Request, res: Response) {
  await auth.forgotPassword(req.input.email as string);
  res.status(202).json({ message: 'If an account uses this address, a reset link is on its way.' });
}

export async function resetPassword(req: Request, res: Response) {
  await auth.resetPassword(req.input.token as string, req.input.password as string);
  clearAuthCookies(res);
  res.status(204).end();
}

export async function reauthenticate(req: Request, res: Response) {
  const { sub, sid } = caller(req);
  await auth.reauthenticate(sub, sid, req.input.password as string);
  res.status(204).end();
}

export async function changePassword(req: Request, res: Response) {
  const { sub, sid } = caller(req);
  await auth.changePassword(sub, sid, req.input.currentPassword as string, req.input.newPassword as string);
  res.status(204).end();
}

/** Sessions carry the region DB-IP's free database gives; its licence asks for the credit. */
const REGION_SOURCE = 'IP Geolocation by DB-IP (https://db-ip.com)';

export async function listSessions(req: Request, res: Response) {
  const { sub, sid } = caller(req);
  res.json({ sessions: await listOwnSessions(sub, sid), regionSource: REGION_SOURCE });
}

/** Ends one of the caller's sessions; ending the current one also clears its cookies. */
export async function endSession(req: Request, res: Response) {
  const { sub, sid } = caller(req);
  const id = req.input.id as string;
  await auth.endSessionOf(sub, id);
  if (id === sid) clearAuthCookies(res);
  res.status(204).end();
}
