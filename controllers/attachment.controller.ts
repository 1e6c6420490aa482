import type { RequestHandler } from 'express';
import {
  completeAttachmentUpload,
  roomBeforeUpload,
  conversationToUploadInto,
  createAttachmentUpload,
  getUpload,
  attachmentCap,
  uploadAttachment,
  type AttachmentDeps,
} from '../services/chat/attachment.service.js';
import { admitUpload } from '../services/chat/upload-admission.js';
import type { FileCapOf } from '../middlewares/upload.middleware.js';
import { AppError } from '../utils/app-error.js';
import * as rules from '../validators/conversation.validators.js';
import { callerId, inputOf } from './caller.js';

/**
 * Only a member who may send here, with room for one more upload today, gets to upload:
 * checked before a byte of the file is read, which is then read no further than the bytes left.
 */
export const mayUpload: RequestHandler = async (req, res, next) => {
  await conversationToUploadInto(callerId(req), inputOf(req, rules.idRules).id);
  res.locals.chatBytesLeft = await roomBeforeUpload(callerId(req));
  next();
};

/**
 * GET /conversations/:id/attachments/check: mayUpload found room, and the upload's length
 * (X-Upload-Length, nginx's Content-Length of it) fits in it and in the day's reading; nginx
 * then reads the upload.
 */
export const mayUploadAnswer: RequestHandler = async (req, res) => {
  await admitUpload(callerId(req), inputOf(req, rules.uploadCheckRules)['x-upload-length'], res.locals.chatBytesLeft ?? 0);
  res.status(204).end();
};

/** How far the upload parser reads the file: its kind's size, or the room mayUpload found when that is less. */
export const uploadCap: FileCapOf = (req, res) =>
  attachmentCap((req.body as { kind?: unknown } | undefined)?.kind, res.locals.chatBytesLeft ?? 0);

/** POST /conversations/:id/attachments: one file through the API (multipart "file", with kind and name). */
export const upload =
  (deps: AttachmentDeps): RequestHandler =>
  async (req, res) => {
    const { id, kind, name } = inputOf(req, rules.attachmentUploadRules);
    const file = (req.files as Express.Multer.File[] | undefined)?.[0];
    if (!file) throw new AppError('FILE_REQUIRED', 'Send the attachment in the "file" field');
    const attachment = await uploadAttachment(callerId(req), id, { kind, name }, { path: file.path, size: file.size }, deps);
    res.status(202).json({ attachment });
  };

/** POST /conversations/:id/attachments/uploads: a ticket to upload straight to the storage. */
export const ticket =
  (deps: AttachmentDeps): RequestHandler =>
  async (req, res) => {
    const { id, ...input } = inputOf(req, rules.attachmentTicketRules);
    res.status(201).json(await createAttachmentUpload(callerId(req), id, input, deps));
  };

/** POST /conversations/:id/attachments/:attachmentId/complete: the direct upload is there. */
export const complete =
  (deps: AttachmentDeps): RequestHandler =>
  async (req, res) => {
    const { id, attachmentId } = inputOf(req, rules.attachmentRules);
    res.status(202).json({ attachment: await completeAttachmentUpload(callerId(req), id, attachmentId, deps) });
  };

/** GET /conversations/:id/attachments/:attachmentId: how one's upload is doing. */
export const show: RequestHandler = async (req, res) => {
  const { id, attachmentId } = inputOf(req, rules.attachmentRules);
  res.json({ attachment: await getUpload(callerId(req), id, attachmentId) });
};
