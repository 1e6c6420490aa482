import type { RequestHandler } from 'express';
import {
  completeAttachmentUpload,
  roomBeforeUpload,
  conversationToUploadInto,
  createAttachmentUpload,
  getUpload,
  attachmentCap,
  largestAttachmentBytes,
  uploadAttachment,
  type AttachmentDeps,
} from '../services/chat/attachment.service.js';
import { admitAttachmentUpload } from '../services/chat/attachment-admission.service.js';
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
 * GET /conversations/:id/attachments/check: nginx's question before it reads an upload, with the
 * upload's length (X-Upload-Length, its Content-Length); 204 and nginx reads it.
 */
export const answerUploadCheck: RequestHandler = async (req, res) => {
  const input = inputOf(req, rules.uploadCheckRules);
  await admitAttachmentUpload(callerId(req), input.id, { length: input['x-upload-length'], requestId: req.id });
  res.status(204).end();
};

/** The most an upload through the API is read: the largest kind's size. */
export const largestUpload = largestAttachmentBytes();

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
