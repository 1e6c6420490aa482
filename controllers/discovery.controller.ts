import type { Request, Response } from 'express';
import { discover } from '../services/discovery.service.js';
import { callerId } from './caller.js';

export async function feed(req: Request, res: Response) {
  const { limit = 10, cursor } = req.input as { limit?: number; cursor?: string };
  res.json(await discover(callerId(req), { limit, cursor }));
}
