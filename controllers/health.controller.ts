import type { Request, Response } from 'express';
import { pingDatabase } from '../services/database.service.js';

export function liveness(_req: Request, res: Response) {
  res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
}

export async function readiness(_req: Request, res: Response) {
  const database = await pingDatabase();
  res
    .status(database ? 200 : 503)
    .json({ status: database ? 'ready' : 'unavailable', checks: { database: database ? 'up' : 'down' } });
}
