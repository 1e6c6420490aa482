import { resetTaste } from '../services/match/taste/taste.service.js';
import type { Request, RequestHandler, Response } from 'express';
import { deleteAccount } from '../services/people/account-deletion.service.js';
import type { StorageProvider } from '../services/storage/storage.provider.js';
import { blockUser, listBlocks, unblockUser } from '../services/people/block.service.js';
import { getPublicProfile, updateProfile, updateStatus } from '../services/people/profile.service.js';
import { searchUsers, SEARCH_DEFAULT_PAGE } from '../services/people/search.service.js';
import { getOwnUser } from '../services/people/user.service.js';
import { callerId, inputOf, pageOf, sessionOf } from './caller.js';
import * as rules from '../validators/user.validators.js';

export async function getMe(req: Request, res: Response) {
  res.json({ user: await getOwnUser(callerId(req)) });
}

export async function patchMe(req: Request, res: Response) {
  res.json({ user: await updateProfile(callerId(req), inputOf(req, rules.updateProfileRules)) });
}

export async function resetMyTaste(req: Request, res: Response) {
  await resetTaste(callerId(req));
  res.status(204).end();
}

export async function patchStatus(req: Request, res: Response) {
  res.json({ user: await updateStatus(callerId(req), inputOf(req, rules.updateStatusRules)) });
}

export async function getProfile(req: Request, res: Response) {
  res.json({ profile: await getPublicProfile(callerId(req), inputOf(req, rules.usernameParam).username) });
}

export async function block(req: Request, res: Response) {
  const [me, them] = [callerId(req), inputOf(req, rules.userIdParam).userId];
  await blockUser(me, them);
  res.status(204).end();
}

export async function unblock(req: Request, res: Response) {
  const [me, them] = [callerId(req), inputOf(req, rules.userIdParam).userId];
  await unblockUser(me, them);
  res.status(204).end();
}

export async function blocks(req: Request, res: Response) {
  res.json(await listBlocks(callerId(req), pageOf(req, 50)));
}

export async function search(req: Request, res: Response) {
  const input = inputOf(req, rules.searchRules);
  res.json(await searchUsers(callerId(req), { ...input, limit: input.limit ?? SEARCH_DEFAULT_PAGE }));
}

/** DELETE /users/me: the account goes, after a recent password (or sign-in) in this session. */
export const deleteMe =
  (storage: StorageProvider): RequestHandler =>
  async (req, res) => {
    await deleteAccount(callerId(req), sessionOf(req), storage);
    res.status(204).end();
  };
