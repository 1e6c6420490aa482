import type { Request, Response } from 'express';
import {
  listConnections,
  removeConnection,
  reviewRequest,
  swipe,
  type ListKind,
} from '../services/connections/connection.service.js';
import { noteFollowerFromPost } from '../services/posts/stats.service.js';
import { getQuota } from '../services/connections/quota.service.js';
import { callerId, inputOf, pageOf } from './caller.js';
import * as rules from '../validators/connection.validators.js';

export async function send(req: Request, res: Response) {
  const { userId, action, fromPostId } = inputOf(req, rules.swipeRules);
  const { connection, matched, created } = await swipe(callerId(req), userId, action);
  if (created && action === 'interested' && fromPostId) await noteFollowerFromPost(userId, fromPostId);
  res.status(created ? 201 : 200).json({ connection, matched });
}

export async function review(req: Request, res: Response) {
  const { requestId, action } = inputOf(req, rules.reviewRules);
  res.json({ connection: await reviewRequest(callerId(req), requestId, action) });
}

export async function remove(req: Request, res: Response) {
  await removeConnection(callerId(req), inputOf(req, rules.userIdParam).userId);
  res.status(204).end();
}

const list = (kind: ListKind) => async (req: Request, res: Response) => {
  res.json(await listConnections(callerId(req), kind, pageOf(req)));
};
export const friends = list('friends');
export const received = list('received');
export const sent = list('sent');

export async function quota(req: Request, res: Response) {
  res.json({ quota: await getQuota(callerId(req)) });
}
