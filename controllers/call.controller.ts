import type { Request, Response } from 'express';
import { activeCall, callHistory, iceServers } from '../services/call.service.js';
import { callerId } from './caller.js';

export async function ice(req: Request, res: Response) {
  res.json(iceServers(callerId(req)));
}

export async function history(req: Request, res: Response) {
  const { limit = 20, cursor } = req.input as { limit?: number; cursor?: string };
  res.json(await callHistory(callerId(req), { limit, cursor }));
}

export async function active(req: Request, res: Response) {
  res.json({ call: await activeCall(callerId(req)) });
}
