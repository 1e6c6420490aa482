import type { Request, Response } from 'express';
import { fileReport } from '../services/people/report.service.js';
import { reportRules } from '../validators/user.validators.js';
import { callerId, inputOf } from './caller.js';

export async function createReport(req: Request, res: Response) {
  const me = callerId(req);
  const input = inputOf(req, reportRules);
  const { report, created } = await fileReport(me, input);
  res.status(created ? 201 : 200).json({ report });
}
