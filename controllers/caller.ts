import type { Request } from 'express';
import { unauthorized } from '../utils/app-error.js';

/** The signed-in user's id; routes behind `authenticate` always have one. */
export const callerId = (req: Request): string => {
  if (!req.auth) throw unauthorized();
  return req.auth.sub;
};
