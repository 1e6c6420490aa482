import { body, param, query } from 'express-validator';
import { ATTACHMENT_KINDS, type AttachmentKind } from '../models/chat-attachment.model.js';
import { editFields, readFields, sendFields, type EditFields, type ReadFields, type SendFields } from './chat.schemas.js';
import { inputRules, isIdText, optionalQueryInt, scalar, text, uploadLength, zodBody } from './common.validators.js';

const id = (field: string) => param(field).custom(isIdText).withMessage('must be an id');
// Message numbers past any real conversation are refused, not looped towards.
const MAX_SEQ = 1_000_000_000_000;
const seq = (field: string) =>
  query(field).optional().isInt({ min: 0, max: MAX_SEQ }).withMessage('must be a message number').toInt();

export const listRules = inputRules<{ limit?: number; before?: string }>([
  optionalQueryInt('limit', 1, 100),
  query('before').optional().isISO8601().withMessage('must be a date'),
]);
export const createGroupRules = inputRules<{ name: string; memberIds: string[] }>([
  text('name', 80),
  body('memberIds').isArray({ min: 1, max: 5000 }).withMessage('must list the members to add').bail(),
  scalar('memberIds.*').custom(isIdText).withMessage('must be a user id'),
]);
export const idRules = inputRules<{ id: string }>([id('id')]);
/** nginx's question before it reads an attachment: the conversation, and the upload's length as it says it. */
export const uploadCheckRules = inputRules<{ id: string; 'x-upload-length'?: number }>([id('id'), uploadLength()]);
export const historyRules = inputRules<{ id: string; before?: number; after?: number; limit?: number }>([
  id('id'),
  seq('before'),
  seq('after'),
  optionalQueryInt('limit', 1, 100),
]);
/** Sending over HTTP: the fields chat:send takes too (chat.schemas.ts), in the conversation of the path. */
export const sendRules = inputRules<SendFields & { id: string }>([id('id'), ...zodBody(sendFields)]);
export const messageRules = inputRules<{ id: string; messageId: string }>([id('id'), id('messageId')]);
export const editRules = inputRules<EditFields & { id: string; messageId: string }>([
  id('id'),
  id('messageId'),
  ...zodBody(editFields),
]);
export const readRules = inputRules<ReadFields & { id: string }>([id('id'), ...zodBody(readFields)]);
/** A mute until a time to come (within a year), or with no date until unmuted. */
export const muteRules = inputRules<{ id: string; until?: Date }>([
  id('id'),
  scalar('until')
    .optional()
    .isISO8601({ strict: true })
    .withMessage('must be a date and time')
    .bail()
    .custom((v: string) => {
      const t = Date.parse(v);
      return t > Date.now() && t < Date.now() + 366 * 86_400_000;
    })
    .withMessage('must be within the coming year')
    .toDate(),
]);
export const addMemberRules = inputRules<{ id: string; userId: string }>([
  id('id'),
  scalar('userId').custom(isIdText).withMessage('must be a user id'),
]);
export const memberRules = inputRules<{ id: string; userId: string }>([id('id'), id('userId')]);
export const roleRules = inputRules<{ id: string; userId: string; role: 'admin' | 'member' }>([
  id('id'),
  id('userId'),
  scalar('role').isIn(['admin', 'member']).withMessage('must be admin or member'),
]);

// One string (a repeated multipart field arrives as an array, each element passing isIn).
const attachmentKind = scalar('kind')
  .isString()
  .withMessage('must be one kind')
  .bail()
  .isIn(ATTACHMENT_KINDS)
  .withMessage(`must be one of ${ATTACHMENT_KINDS.join(', ')}`);
const attachmentName = scalar('name').optional().isString().withMessage('must be a string').bail().isLength({ max: 200 });

/** An attachment sent through the API: its kind, and a file's name (multipart text fields). */
export const attachmentUploadRules = inputRules<{ id: string; kind: AttachmentKind; name?: string }>([
  id('id'),
  attachmentKind,
  attachmentName,
]);
/** A direct upload ticket: the kind and the size the client will send. */
export const attachmentTicketRules = inputRules<{ id: string; kind: AttachmentKind; bytes: number; name?: string }>([
  id('id'),
  attachmentKind,
  scalar('bytes')
    .isInt({ min: 1, max: 1024 ** 4 })
    .withMessage('must be the size in bytes')
    .toInt(),
  attachmentName,
]);
export const attachmentRules = inputRules<{ id: string; attachmentId: string }>([id('id'), id('attachmentId')]);
