import type { Request, Response } from 'express';
import { blockUser, listBlocks, unblockUser } from '../services/people/block.service.js';
import { getPublicProfile, updateProfile, updateStatus, type ProfileUpdate } from '../services/people/profile.service.js';
import { searchUsers, SEARCH_DEFAULT_PAGE, type SearchInput } from '../services/people/search.service.js';
import { getOwnUser } from '../services/people/user.service.js';
import { callerId, pageOf } from './caller.js';

export async function getMe(req: Request, res: Response) {
  res.json({ user: await getOwnUser(callerId(req)) });
}

export async function patchMe(req: Request, res: Response) {
  res.json({ user: await updateProfile(callerId(req), req.input as ProfileUpdate) });
}

export async function patchStatus(req: Request, res: Response) {
  res.json({ user: await updateStatus(callerId(req), req.input as { availability?: string; availableForMatching?: boolean }) });
}

export async function getProfile(req: Request, res: Response) {
  res.json({ profile: await getPublicProfile(callerId(req), req.input.username as string) });
}

export async function block(req: Request, res: Response) {
  const [me, them] = [callerId(req), req.input.userId as string];
  await blockUser(me, them);
  res.status(204).end();
}

export async function unblock(req: Request, res: Response) {
  const [me, them] = [callerId(req), req.input.userId as string];
  await unblockUser(me, them);
  res.status(204).end();
}

export async function blocks(req: Request, res: Response) {
  res.json(await listBlocks(callerId(req), pageOf(req, 50)));
}

export async function search(req: Request, res: Response) {
  const input = req.input as Omit<SearchInput, 'limit'> & { limit?: number };
  res.json(await searchUsers(callerId(req), { ...input, limit: input.limit ?? SEARCH_DEFAULT_PAGE }));
}
