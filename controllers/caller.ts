import type { Request } from 'express';
import { unauthorized } from '../utils/app-error.js';

/** The page a list asks for: the validated limit (or the list's default) and the cursor. */
export function pageOf(req: Request, defaultLimit = 20): { limit: number; cursor?: string } {
  const { limit, cursor } = req.input as { limit?: number; cursor?: string };
  return { limit: limit ?? defaultLimit, ...(cursor !== undefined && { cursor }) };
}

/** The signed-in user's id; routes behind `authenticate` always have one. */
export const callerId = (req: Request): string => {
  if (!req.auth) throw unauthorized();
  return req.auth.sub;
};
