import { Router } from 'express';
import { config } from '../config/index.js';
import * as posts from '../controllers/post.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import { postUpload } from '../middlewares/upload.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import type { MediaDeps } from '../services/posts/post.service.js';
import * as rules from '../validators/post.validators.js';

export function postRoutes(deps: MediaDeps): Router {
  const router = Router();
  router.use(authenticate);
  router.post(
    '/',
    postUpload(config.posts.maxImages, config.posts.mediaMaxBytes),
    validate(rules.createPostRules),
    posts.createPost(deps),
  );
  router.get('/author/:userId', validate(rules.authorPostsRules), posts.listAuthorPosts);
  router.get('/:id', validate(rules.postIdParam), posts.getPost);
  router.patch('/:id', validate(rules.editPostRules), posts.editPost);
  router.delete('/:id', validate(rules.postIdParam), posts.deletePost(deps));
  return router;
}
