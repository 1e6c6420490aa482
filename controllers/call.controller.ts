import type { Request, Response } from 'express';
import { callHistory, iceServers } from '../services/match/call.service.js';
import { callerId, pageOf } from './caller.js';

export async function ice(req: Request, res: Response) {
  res.json(iceServers(callerId(req)));
}

export async function calls(req: Request, res: Response) {
  res.json(await callHistory(callerId(req), pageOf(req)));
}
