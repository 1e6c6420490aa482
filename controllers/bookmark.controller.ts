import type { Request, Response } from 'express';
import * as engagement from '../services/posts/engagement.service.js';
import { callerId, pageOf } from './caller.js';

export async function listBookmarks(req: Request, res: Response) {
  res.json(await engagement.listBookmarks(callerId(req), (req.input.collectionId as string | undefined) ?? null, pageOf(req)));
}

export async function listCollections(req: Request, res: Response) {
  res.json({ collections: await engagement.listCollections(callerId(req)) });
}

export async function createCollection(req: Request, res: Response) {
  res.status(201).json({ collection: await engagement.createCollection(callerId(req), req.input.name as string) });
}

export async function deleteCollection(req: Request, res: Response) {
  await engagement.deleteCollection(callerId(req), req.input.id as string);
  res.status(204).end();
}
