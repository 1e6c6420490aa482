import type { Request, Response } from 'express';
import { activeCall } from '../services/match/call.service.js';
import { matchHistory, pendingMatch } from '../services/match/match.service.js';
import { callerId, pageOf } from './caller.js';

export async function history(req: Request, res: Response) {
  res.json(await matchHistory(callerId(req), pageOf(req)));
}

/** What is going on now: a match waiting for answers and a ringing or connected call. */
export async function active(req: Request, res: Response) {
  const me = callerId(req);
  const [match, call] = await Promise.all([pendingMatch(me), activeCall(me)]);
  res.json({ match, call });
}
