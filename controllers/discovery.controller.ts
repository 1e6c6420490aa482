import type { Request, Response } from 'express';
import { discover } from '../services/people/discovery.service.js';
import { callerId, pageOf } from './caller.js';

export async function feed(req: Request, res: Response) {
  res.json(await discover(callerId(req), pageOf(req, 10)));
}
