import type { Request, RequestHandler, Response } from 'express';
import type { StorageProvider } from '../services/storage/storage.provider.js';
import {
  addMember,
  conversationView,
  createGroup,
  listConversations,
  memberConversation,
  memberMessage,
  muteConversation,
  removeMember,
  setMemberRole,
  unmuteConversation,
} from '../services/chat/conversation.service.js';
import { deleteMessage, editMessage, listMessages, markRead, sendMessage } from '../services/chat/message.service.js';
import { notFound } from '../utils/app-error.js';
import * as rules from '../validators/conversation.validators.js';
import { callerId, inputOf } from './caller.js';

export async function list(req: Request, res: Response) {
  const { limit = 20, before } = inputOf(req, rules.listRules);
  res.json(await listConversations(callerId(req), { limit, before: before ? new Date(before) : undefined }));
}

export async function create(req: Request, res: Response) {
  const me = callerId(req);
  const group = await createGroup(me, inputOf(req, rules.createGroupRules));
  res.status(201).json({ conversation: await conversationView(group, me) });
}

export async function get(req: Request, res: Response) {
  const me = callerId(req);
  res.json({ conversation: await conversationView(await memberConversation(me, inputOf(req, rules.idRules).id), me) });
}

export async function messages(req: Request, res: Response) {
  const { id, before, after, limit = 50 } = inputOf(req, rules.historyRules);
  res.json(await listMessages(callerId(req), id, { before, after, limit }));
}

export async function send(req: Request, res: Response) {
  const { id, ...rest } = inputOf(req, rules.sendRules);
  const { message, created } = await sendMessage(callerId(req), { ...rest, conversationId: id });
  res.status(created ? 201 : 200).json({ message });
}

/** The message must belong to the conversation in the path, which the caller must be in. */
async function messageInPath(req: Request) {
  const { id, messageId } = inputOf(req, rules.messageRules);
  const { conversation } = await memberMessage(callerId(req), messageId);
  if (String(conversation._id) !== id) throw notFound('Message');
  return messageId;
}

export async function edit(req: Request, res: Response) {
  const messageId = await messageInPath(req);
  res.json({ message: await editMessage(callerId(req), messageId, inputOf(req, rules.editRules).text) });
}

/** Deleting a message also deletes its upload's objects here and now (this app holds the storage). */
export const remove =
  (storage: StorageProvider): RequestHandler =>
  async (req, res) => {
    await deleteMessage(callerId(req), await messageInPath(req), storage);
    res.status(204).end();
  };

export async function read(req: Request, res: Response) {
  const { id, upToMessageId } = inputOf(req, rules.readRules);
  res.json(await markRead(callerId(req), id, upToMessageId));
}

export async function mute(req: Request, res: Response) {
  const { id, until } = inputOf(req, rules.muteRules);
  res.json(await muteConversation(callerId(req), id, until ?? null));
}

export async function unmute(req: Request, res: Response) {
  const { id } = inputOf(req, rules.idRules);
  await unmuteConversation(callerId(req), id);
  res.json({ muted: false, mutedUntil: null });
}

export async function addMemberTo(req: Request, res: Response) {
  const { id, userId } = inputOf(req, rules.addMemberRules);
  await addMember(callerId(req), id, userId);
  res.status(204).end();
}

export async function removeMemberFrom(req: Request, res: Response) {
  const { id, userId } = inputOf(req, rules.memberRules);
  await removeMember(callerId(req), id, userId);
  res.status(204).end();
}

export async function setRole(req: Request, res: Response) {
  const { id, userId, role } = inputOf(req, rules.roleRules);
  await setMemberRole(callerId(req), id, userId, role);
  res.status(204).end();
}
