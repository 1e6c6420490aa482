import { preferredLanguage } from '../services/people/language.js';
import type { Request, Response } from 'express';
import * as auth from '../services/auth/auth.service.js';
import { confirmEmailChange, requestEmailChange } from '../services/auth/email-change.service.js';
import { listSessions as listOwnSessions } from '../services/auth/session.service.js';
import { presentedDeviceToken } from '../services/auth/known-device.js';
import { getOwnUser } from '../services/people/user.service.js';
import { AppError } from '../utils/app-error.js';
import { clearAuthCookies, clientInfo, isBrowser, readRefreshToken, sendSession, setKnownDeviceCookie } from './auth.cookies.js';
import * as rules from '../validators/auth.validators.js';
import { inputOf } from './caller.js';

/** The signed-in caller; routes put authenticate in front, so this is a programming guard. */
const caller = (req: Request) => {
  if (!req.auth) throw new AppError('UNAUTHORIZED', 'Authentication required');
  return req.auth;
};

export async function signup(req: Request, res: Response) {
  const input = inputOf(req, rules.signupRules);
  // The language the app or browser asks in, unless one was chosen.
  const language = input.language ?? preferredLanguage(req.get('accept-language'));
  const result = await auth.signup({ ...input, ...(language && { language }) }, clientInfo(req));
  sendSession(req, res, result, 201);
}

export async function login(req: Request, res: Response) {
  const { identifier, password } = inputOf(req, rules.loginRules);
  // A known device's token, where the password line's share lets this request take the kept lane.
  const presented = res.locals.mayTakeKeptLane === true ? presentedDeviceToken(req.body, req.cookies) : undefined;
  const { deviceToken, ...session } = await auth.login(identifier, password, clientInfo(req), presented, {
    pastAccountFailures: res.locals.pastAccountFailures,
  });
  // This client knew the password: its failures from now on count apart from strangers'.
  setKnownDeviceCookie(req, res, deviceToken, session.user.id);
  sendSession(req, res, isBrowser(req) ? session : { ...session, deviceToken });
}

export async function refresh(req: Request, res: Response) {
  const token = readRefreshToken(req);
  if (!token) throw new AppError('INVALID_REFRESH_TOKEN', 'Refresh token is missing');
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

/** Older nginx configs ask before they read a picture (auth_request): the sender is signed in (the route's authenticate said so). */
export function signedIn(_req: Request, res: Response) {
  res.status(204).end();
}

export async function verifyEmail(req: Request, res: Response) {
  const { token, password } = inputOf(req, rules.verifyEmailRules);
  res.json({ user: await auth.verifyEmail(token, req.id, req.auth, password) });
}

export async function resendVerification(req: Request, res: Response) {
  await auth.resendVerification(caller(req).sub);
  res.status(202).json({ sent: true });
}

export async function forgotPassword(req: Request, res: Response) {
  await auth.forgotPassword(inputOf(req, rules.forgotPasswordRules).email);
  res.status(202).json({ message: 'If an account uses this address, a reset link is on its way.' });
}

export async function resetPassword(req: Request, res: Response) {
  const { token, password } = inputOf(req, rules.resetPasswordRules);
  const { userId, deviceToken } = await auth.resetPassword(token, password, req.id);
  clearAuthCookies(res);
  // This browser signs in despite failures others made on purpose.
  setKnownDeviceCookie(req, res, deviceToken, userId);
  res.status(204).end();
}

export async function reauthenticate(req: Request, res: Response) {
  const { sub, sid } = caller(req);
  await auth.reauthenticate(sub, sid, inputOf(req, rules.reauthenticateRules).password);
  res.status(204).end();
}

export async function changePassword(req: Request, res: Response) {
  const { sub, sid } = caller(req);
  const { currentPassword, newPassword } = inputOf(req, rules.changePasswordRules);
  const deviceToken = await auth.changePassword(sub, sid, currentPassword, newPassword, req.id);
  // The new password voided this browser's known-device token: it gets one for it.
  setKnownDeviceCookie(req, res, deviceToken, sub);
  res.status(204).end();
}

export async function changeEmail(req: Request, res: Response) {
  const { sub, sid } = caller(req);
  await requestEmailChange(sub, sid, inputOf(req, rules.changeEmailRules).email, req.id);
  res.status(202).json({ sent: true });
}

export async function confirmChangedEmail(req: Request, res: Response) {
  res.json({ user: await confirmEmailChange(inputOf(req, rules.confirmEmailChangeRules).token, req.id) });
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
  const { id } = inputOf(req, rules.sessionIdParam);
  await auth.endSessionOf(sub, id, req.id);
  if (id === sid) clearAuthCookies(res);
  res.status(204).end();
}
