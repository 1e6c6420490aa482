import type { Request, Response } from 'express';
import { fileReport, type ReportInput } from '../services/report.service.js';
import { unauthorized } from '../utils/app-error.js';

export async function createReport(req: Request, res: Response) {
  if (!req.auth) throw unauthorized();
  const { report, created } = await fileReport(req.auth.sub, req.input as unknown as ReportInput);
  res.status(created ? 201 : 200).json({ report });
}
