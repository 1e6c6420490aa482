import { body, param, query } from 'express-validator';
import type { SendInput } from '../services/chat/message.service.js';
import { inputRules, optionalQueryInt, text } from './common.validators.js';

const id = (field: string) => param(field).isMongoId().withMessage('must be an id');
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
  body('memberIds.*').isMongoId().withMessage('must be a user id'),
]);
export const idRules = inputRules<{ id: string }>([id('id')]);
export const historyRules = inputRules<{ id: string; before?: number; after?: number; limit?: number }>([
  id('id'),
  seq('before'),
  seq('after'),
  optionalQueryInt('limit', 1, 100),
]);
/** Sending over HTTP: the message fields of the action (SendInput, shared with chat:send) in a conversation of the path. */
export const sendRules = inputRules<Omit<SendInput, 'conversationId' | 'toUserId'> & { id: string }>([
  id('id'),
  body('clientMessageId')
    .isString()
    .matches(/^[A-Za-z0-9_-]{8,64}$/)
    .withMessage('must be 8 to 64 of A-Z a-z 0-9 _ -'),
  body('text').optional().isString().withMessage('must be a string').isLength({ max: 20_000 }),
  body('attachmentId')
    .optional()
    .isString()
    .matches(/^[0-9a-f]{24}$/)
    .withMessage('must be a photo id'),
  body('replyToId').optional().isMongoId().withMessage('must be a message id'),
]);
export const messageRules = inputRules<{ id: string; messageId: string }>([id('id'), id('messageId')]);
export const editRules = inputRules<{ id: string; messageId: string; text: string }>([
  id('id'),
  id('messageId'),
  body('text').isString().withMessage('must be a string').isLength({ min: 1, max: 20_000 }),
]);
export const readRules = inputRules<{ id: string; upToMessageId: string }>([
  id('id'),
  body('upToMessageId').isMongoId().withMessage('must be a message id'),
]);
export const addMemberRules = inputRules<{ id: string; userId: string }>([
  id('id'),
  body('userId').isMongoId().withMessage('must be a user id'),
]);
export const memberRules = inputRules<{ id: string; userId: string }>([id('id'), id('userId')]);
export const roleRules = inputRules<{ id: string; userId: string; role: 'admin' | 'member' }>([
  id('id'),
  id('userId'),
  body('role').isIn(['admin', 'member']).withMessage('must be admin or member'),
]);
