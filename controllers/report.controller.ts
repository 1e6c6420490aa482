import type { Request, Response } from 'express';
import { fileReport, type ReportInput } from '../services/people/report.service.js';
import { callerId } from './caller.js';

export async function createReport(req: Request, res: Response) {
  const me = callerId(req);
  const input = req.input as unknown as ReportInput;
  const { report, created } = await fileReport(me, input);
  res.status(created ? 201 : 200).json({ report });
}
