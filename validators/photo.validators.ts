import { body, param, query, type ValidationChain } from 'express-validator';
import { IMAGE_TYPES } from '../config/constants.js';
import { inputRules, requiredString, scalar, uploadLength } from './common.validators.js';
import type { PhotoTarget } from '../services/people/photo.service.js';

const TARGETS = ['avatar', 'gallery'];

const targetIn = (chain: ValidationChain) =>
  chain
    .optional()
    .isIn(TARGETS)
    .withMessage(`must be one of ${TARGETS.join(', ')}`);

export const uploadRules = inputRules<{ target?: PhotoTarget }>([targetIn(query('target'))]);

/** nginx's question before it reads a photo: where it goes (as the upload's query says) and its length. */
export const uploadCheckRules = inputRules<{ target?: PhotoTarget; 'x-upload-length'?: number }>([
  targetIn(query('target')),
  uploadLength(),
]);

export const uploadTicketRules = inputRules<{ contentType: string; size: number; target?: PhotoTarget }>([
  scalar('contentType')
    .isIn(IMAGE_TYPES)
    .withMessage(`must be one of ${IMAGE_TYPES.join(', ')}`),
  scalar('size').isInt({ min: 1 }).withMessage('must be the file size in bytes').toInt(),
]);

export const confirmUploadRules = inputRules<{ key: string; target?: PhotoTarget }>([
  requiredString('key').isLength({ max: 200 }).withMessage('is not an upload key'),
  targetIn(scalar('target')),
]);

export const photoIdParam = inputRules<{ photoId: string }>([
  param('photoId')
    .matches(/^[0-9a-f]{24}$/)
    .withMessage('is not a photo id'),
]);

export const reorderRules = inputRules<{ photoIds: string[] }>([
  body('photoIds').isArray({ min: 1, max: 30 }).withMessage('must list the gallery photo ids').bail(),
  scalar('photoIds.*')
    .isString()
    .matches(/^[0-9a-f]{24}$/)
    .withMessage('is not a photo id'),
]);
