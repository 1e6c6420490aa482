import { param } from 'express-validator';
import { email, inputRules, isIdText, scalar } from './common.validators.js';
import type { ReviewAction, SwipeAction } from '../services/connections/connection.service.js';

export const swipeRules = inputRules<{ userId: string; action: SwipeAction; fromPostId?: string }>([
  param('userId').custom(isIdText).withMessage('must be a user id'),
  scalar('action').isIn(['interested', 'ignored']).withMessage('must be interested or ignored'),
  // The post the request was sent from, for the creator's "followers from posts".
  scalar('fromPostId').optional().custom(isIdText).withMessage('must be a post id'),
]);
export const reviewRules = inputRules<{ requestId: string; action: ReviewAction }>([
  param('requestId').custom(isIdText).withMessage('must be a request id'),
  scalar('action').isIn(['accepted', 'rejected']).withMessage('must be accepted or rejected'),
]);
export const userIdParam = inputRules<{ userId: string }>([param('userId').custom(isIdText).withMessage('must be a user id')]);
export const contactRules = inputRules<{ email: string }>([email('email')]);
