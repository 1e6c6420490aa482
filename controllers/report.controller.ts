import type { Request, Response } from 'express';
import { endCallsBetween } from '../services/call.service.js';
import { endMatchesBetween } from '../services/match/match.service.js';
import { fileReport, type ReportInput } from '../services/report.service.js';
import { callerId } from './caller.js';

export async function createReport(req: Request, res: Response) {
  const me = callerId(req);
  const input = req.input as unknown as ReportInput;
  const { report, created } = await fileReport(me, input);
  // Reporting the person one is matched or on a call with ends it, as a block does.
  if (input.targetType === 'user')
    await Promise.all([endCallsBetween(me, input.targetId), endMatchesBetween(me, input.targetId)]);
  res.status(created ? 201 : 200).json({ report });
}
