import { Router } from 'express';
import * as bookmarks from '../controllers/bookmark.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import * as rules from '../validators/post.validators.js';

/** Bookmarks and their named collections, under /bookmarks. */
export function bookmarkRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.use(authenticate);
  router.get('/', limit.action('postLists'), validate(rules.bookmarksRules), bookmarks.listBookmarks);
  router.get('/collections', bookmarks.listCollections);
  router.post('/collections', limit.action('bookmark'), validate(rules.collectionRules), bookmarks.createCollection);
  router.delete('/collections/:id', validate(rules.collectionIdParam), bookmarks.deleteCollection);
  return router;
}
