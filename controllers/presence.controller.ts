import type { Request, Response } from 'express';
import { presenceOf } from '../services/presence/presence.service.js';
import { callerId } from './caller.js';

export async function batch(req: Request, res: Response) {
  res.json({ presence: await presenceOf(callerId(req), req.input.ids as string[]) });
}
