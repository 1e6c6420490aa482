import type { Request, Response } from 'express';
import { pingDatabase } from '../services/database.service.js';

// The probes are public: however many come, the database is pinged once in this long.
const READY_FOR_MS = 1000;
let lastCheck: { at: number; up: Promise<boolean> } | undefined;

function databaseAnswers(): Promise<boolean> {
  const now = Date.now();
  if (!lastCheck || now - lastCheck.at >= READY_FOR_MS) {
    lastCheck = { at: now, up: pingDatabase() };
  }
  return lastCheck.up;
}

/** Alive, and nothing more: the uptime would date every restart and deploy for anyone. */
export function liveness(_req: Request, res: Response) {
  res.json({ status: 'ok' });
}

export async function readiness(_req: Request, res: Response) {
  const database = await databaseAnswers();
  res
    .status(database ? 200 : 503)
    .json({ status: database ? 'ready' : 'unavailable', checks: { database: database ? 'up' : 'down' } });
}
