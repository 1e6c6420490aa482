import { Router } from 'express';
import { body, param, query } from 'express-validator';
import * as content from '../controllers/admin-content.controller.js';
import { authenticate, requireRole } from '../middlewares/auth.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { TREND_STATUS } from '../models/trending-tag.model.js';

const action = body('action').isIn(['restore', 'remove']).withMessage('must be restore or remove');

/** Moderators' view of posts: viral ones, trending hashtags to approve, reported content to decide on. */
export function adminContentRoutes(): Router {
  const router = Router();
  router.use(authenticate, requireRole('admin', 'moderator'));
  router.get('/viral-posts', content.viralPosts);
  router.get(
    '/trending',
    validate([
      query('status')
        .optional()
        .isIn(TREND_STATUS)
        .withMessage(`must be one of ${TREND_STATUS.join(', ')}`),
    ]),
    content.trendingTags,
  );
  router.patch(
    '/trending/:tag',
    validate([
      param('tag').isString().isLength({ min: 1, max: 30 }).withMessage('must be a hashtag'),
      body('status').isIn(['approved', 'rejected']).withMessage('must be approved or rejected'),
    ]),
    content.reviewTrending,
  );
  router.patch(
    '/posts/:id',
    validate([param('id').isMongoId().withMessage('must be a post id'), action]),
    content.moderate('post'),
  );
  router.patch(
    '/comments/:id',
    validate([param('id').isMongoId().withMessage('must be a comment id'), action]),
    content.moderate('comment'),
  );
  return router;
}
