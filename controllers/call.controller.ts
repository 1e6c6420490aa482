import type { Request, Response } from 'express';
import { callHistory, iceServersFor } from '../services/match/call.service.js';
import * as rules from '../validators/call.validators.js';
import { callerId, inputOf, pageOf } from './caller.js';

export async function ice(req: Request, res: Response) {
  res.json(await iceServersFor(callerId(req), inputOf(req, rules.iceRules).callId));
}

export async function calls(req: Request, res: Response) {
  res.json(await callHistory(callerId(req), pageOf(req)));
}
