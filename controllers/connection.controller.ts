import type { Request, Response } from 'express';
import {
  listConnections,
  removeConnection,
  reviewRequest,
  swipe,
  type ListKind,
  type ReviewAction,
  type SwipeAction,
} from '../services/connection.service.js';
import { addContactByEmail } from '../services/contact.service.js';
import { noteFollowerFromPost } from '../services/posts/stats.service.js';
import { getQuota } from '../services/quota.service.js';
import { callerId } from './caller.js';

const page = (req: Request) => {
  const { limit = 20, cursor } = req.input as { limit?: number; cursor?: string };
  return { limit, cursor };
};

export async function send(req: Request, res: Response) {
  const { userId, action, fromPostId } = req.input as { userId: string; action: SwipeAction; fromPostId?: string };
  const { connection, matched, created } = await swipe(callerId(req), userId, action);
  if (created && action === 'interested' && fromPostId) await noteFollowerFromPost(userId, fromPostId);
  res.status(created ? 201 : 200).json({ connection, matched });
}

export async function review(req: Request, res: Response) {
  res.json({ connection: await reviewRequest(callerId(req), req.input.requestId as string, req.input.action as ReviewAction) });
}

export async function remove(req: Request, res: Response) {
  await removeConnection(callerId(req), req.input.userId as string);
  res.status(204).end();
}

const list = (kind: ListKind) => async (req: Request, res: Response) => {
  res.json(await listConnections(callerId(req), kind, page(req)));
};
export const friends = list('friends');
export const received = list('received');
export const sent = list('sent');

export async function quota(req: Request, res: Response) {
  res.json({ quota: await getQuota(callerId(req)) });
}

export async function addContact(req: Request, res: Response) {
  await addContactByEmail(callerId(req), req.input.email as string);
  res.status(202).json({ message: 'If an account uses this email, it has your connection request.' });
}
