import { body, param } from 'express-validator';
import { email } from './common.validators.js';

export const swipeRules = [
  param('userId').isMongoId().withMessage('must be a user id'),
  body('action').isIn(['interested', 'ignored']).withMessage('must be interested or ignored'),
  // The post the request was sent from, for the creator's "followers from posts".
  body('fromPostId').optional().isMongoId().withMessage('must be a post id'),
];
export const reviewRules = [
  param('requestId').isMongoId().withMessage('must be a request id'),
  body('action').isIn(['accepted', 'rejected']).withMessage('must be accepted or rejected'),
];
export const userIdParam = [param('userId').isMongoId().withMessage('must be a user id')];
export const contactRules = [email('email')];
