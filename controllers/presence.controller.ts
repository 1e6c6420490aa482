import type { Request, Response } from 'express';
import { presenceOf } from '../services/presence/presence.service.js';
import { callerId, inputOf } from './caller.js';
import { presenceRules } from '../validators/presence.validators.js';

export async function batch(req: Request, res: Response) {
  res.json({ presence: await presenceOf(callerId(req), inputOf(req, presenceRules).ids) });
}
