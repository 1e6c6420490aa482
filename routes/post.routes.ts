import { Router } from 'express';
import { config } from '../config/index.js';
import { POST_MAX_IMAGES } from '../config/constants.js';
import * as engage from '../controllers/engagement.controller.js';
import * as posts from '../controllers/post.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import { optionalImageUpload, postUpload } from '../middlewares/upload.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import type { MediaDeps } from '../services/posts/post.service.js';
import * as rules from '../validators/post.validators.js';
import { uploadArrived, uploadCheck } from '../middlewares/upload-check.middleware.js';

export function postRoutes(deps: MediaDeps, limit: RateLimiters): Router {
  const router = Router();
  // nginx's question before it reads a comment (its picture): a post the caller may see, its length.
  router.get(
    '/:id/comments/check',
    ...uploadCheck(limit, 'pictureCheck', 'comment'),
    validate(rules.commentCheckRules),
    engage.answerCommentCheck,
  );
  router.use(authenticate);
  // Limits and the day's quota come before the upload: nothing is read for a refused post.
  router.post(
    '/',
    limit.action('post'),
    posts.checkPostQuota,
    postUpload(POST_MAX_IMAGES, config.posts.mediaMaxBytes),
    validate(rules.createPostRules),
    posts.createPost(deps),
  );
  router.get('/author/:userId', limit.action('postLists'), validate(rules.authorPostsRules), posts.listAuthorPosts);
  router.get('/:id', validate(rules.postIdParam), posts.getPost);
  router.patch('/:id', validate(rules.editPostRules), posts.editPost);
  router.delete('/:id', validate(rules.postIdParam), posts.deletePost(deps));

  router.post('/:id/like', limit.action('like'), validate(rules.postIdParam), engage.like);
  router.delete('/:id/like', limit.action('like'), validate(rules.postIdParam), engage.unlike);
  router.get('/:id/likes', limit.action('postLists'), validate(rules.likersRules), engage.likers);
  router.post('/:id/views', validate(rules.postIdParam), engage.view);
  router.post('/:id/shares', limit.action('share'), validate(rules.shareRules), engage.share);
  router.put('/:id/bookmark', limit.action('bookmark'), validate(rules.bookmarkRules), engage.bookmark);
  router.delete('/:id/bookmark', limit.action('bookmark'), validate(rules.postIdParam), engage.unbookmark);
  router.get('/:id/comments', limit.action('postLists'), validate(rules.listCommentsRules), engage.listComments);
  router.post(
    '/:id/comments',
    uploadArrived,
    limit.action('comment'),
    optionalImageUpload('image', config.uploads.maxBytes),
    validate(rules.commentRules),
    engage.addComment(deps.storage),
  );
  router.delete('/comments/:commentId', validate(rules.commentIdParam), engage.deleteComment(deps.storage));
  router.get('/:id/stats', validate(rules.statsRules), engage.postStats);
  return router;
}

/** The caller's own creator analytics. */
export function meRoutes(): Router {
  const router = Router();
  router.get('/creator-stats', authenticate, validate(rules.creatorStatsRules), engage.creatorStats);
  return router;
}
