import type { Request, Response } from 'express';
import { activeCall, callHistory, iceServers } from '../services/call.service.js';
import { matchHistory, pendingMatch } from '../services/match/match.service.js';
import { callerId } from './caller.js';

export async function ice(req: Request, res: Response) {
  res.json(iceServers(callerId(req)));
}

const page = (req: Request) => {
  const { limit = 20, cursor } = req.input as { limit?: number; cursor?: string };
  return { limit, cursor };
};

export async function calls(req: Request, res: Response) {
  res.json(await callHistory(callerId(req), page(req)));
}

export async function matches(req: Request, res: Response) {
  res.json(await matchHistory(callerId(req), page(req)));
}

/** What is going on now: a match waiting for answers and a ringing or connected call. */
export async function active(req: Request, res: Response) {
  const me = callerId(req);
  const [match, call] = await Promise.all([pendingMatch(me), activeCall(me)]);
  res.json({ match, call });
}
