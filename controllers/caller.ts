import type { Request } from 'express';
import { unauthorized } from '../utils/app-error.js';
import type { Role } from '../utils/jwt.js';
import type { Staff } from '../services/people/admin-users.service.js';
import type { InputRules } from '../validators/common.validators.js';

/** The validated input of a route, typed by the rules that produced it (never a cast at the call). */
export const inputOf = <T>(req: Request, _rules: InputRules<T>): T => req.input as T;

/** The page a list asks for: the validated limit (or the list's default) and the cursor. */
export function pageOf(req: Request, defaultLimit = 20): { limit: number; cursor?: string } {
  const { limit, cursor } = req.input as { limit?: number; cursor?: string };
  return { limit: limit ?? defaultLimit, ...(cursor !== undefined && { cursor }) };
}

/** The signed-in user's role, as their token carries it. */
export const roleOf = (req: Request): Role => {
  if (!req.auth) throw unauthorized();
  return req.auth.role;
};

/** The signed-in session's id. */
export const sessionOf = (req: Request): string => {
  if (!req.auth) throw unauthorized();
  return req.auth.sid;
};

/** The signed-in staff member acting through this request, as the audit trail records them. */
export const staffOf = (req: Request): Staff => ({ id: callerId(req), role: roleOf(req), requestId: req.id });

/** The signed-in user's id; routes behind `authenticate` always have one. */
export const callerId = (req: Request): string => {
  if (!req.auth) throw unauthorized();
  return req.auth.sub;
};
