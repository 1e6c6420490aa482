import { Router } from 'express';
import * as content from '../controllers/admin-content.controller.js';
import { authenticate, requireRole } from '../middlewares/auth.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import * as rules from '../validators/admin.validators.js';

/** Moderators' view of posts: viral ones, trending hashtags to approve, reported content to decide on. */
export function adminContentRoutes(): Router {
  const router = Router();
  router.use(authenticate, requireRole('admin', 'moderator'));
  router.get('/viral-posts', content.viralPosts);
  router.get('/trending', validate(rules.trendingListRules), content.trendingTags);
  router.patch('/trending/:tag', validate(rules.trendingReviewRules), content.reviewTrending);
  router.patch('/posts/:id', validate(rules.moderatePostRules), content.moderate('post'));
  router.patch('/comments/:id', validate(rules.moderateCommentRules), content.moderate('comment'));
  return router;
}
