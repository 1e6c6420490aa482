import { Router, type Request } from 'express';
import * as connections from '../controllers/connection.controller.js';
import * as users from '../controllers/user.controller.js';
import { inputOf } from '../controllers/caller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { pageRules } from '../validators/common.validators.js';
import * as rules from '../validators/user.validators.js';
import type { StorageProvider } from '../services/storage/storage.provider.js';

/** Only a request that moves the caller counts as a location change. */
// matchedData keeps an empty location object for a request without one: only a latitude is a move.
const movesCaller = (req: Request) => inputOf(req, rules.updateProfileRules).location?.lat !== undefined;

export function userRoutes(limit: RateLimiters, storage: StorageProvider): Router {
  const router = Router();
  router.use(authenticate);
  // The fixed paths (/me, /search) come before /:username.
  router.get('/me', users.getMe);
  // Moving counts against its own budget: too few moves to triangulate anyone.
  router.patch('/me', validate(rules.updateProfileRules), limit.actionWhen('location', movesCaller), users.patchMe);
  router.delete('/me', users.deleteMe(storage));
  router.delete('/me/taste', limit.action('tasteReset'), users.resetMyTaste);
  router.patch('/me/status', validate(rules.updateStatusRules), users.patchStatus);
  router.get('/me/blocks', limit.action('peopleLists'), validate(pageRules(100)), users.blocks);
  router.get('/search', limit.action('search'), validate(rules.searchRules), users.search);
  router.get('/me/quota', connections.quota);
  router.post('/:userId/block', limit.action('block'), validate(rules.userIdParam), users.block);
  router.delete('/:userId/block', limit.action('block'), validate(rules.userIdParam), users.unblock);
  router.get('/:username', limit.action('profile'), validate(rules.usernameParam), users.getProfile);
  return router;
}
