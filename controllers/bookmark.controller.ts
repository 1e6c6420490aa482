import type { Request, Response } from 'express';
import * as engagement from '../services/posts/engagement.service.js';
import { callerId, inputOf, pageOf } from './caller.js';
import * as rules from '../validators/post.validators.js';

export async function listBookmarks(req: Request, res: Response) {
  res.json(await engagement.listBookmarks(callerId(req), inputOf(req, rules.bookmarksRules).collectionId ?? null, pageOf(req)));
}

export async function listCollections(req: Request, res: Response) {
  res.json({ collections: await engagement.listCollections(callerId(req)) });
}

export async function createCollection(req: Request, res: Response) {
  res
    .status(201)
    .json({ collection: await engagement.createCollection(callerId(req), inputOf(req, rules.collectionRules).name) });
}

export async function deleteCollection(req: Request, res: Response) {
  await engagement.deleteCollection(callerId(req), inputOf(req, rules.collectionIdParam).id);
  res.status(204).end();
}
