import { Router } from 'express';
import * as connections from '../controllers/connection.controller.js';
import * as users from '../controllers/user.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { pageRules } from '../validators/common.validators.js';
import * as rules from '../validators/user.validators.js';

export function userRoutes(): Router {
  const router = Router();
  router.use(authenticate);
  // The fixed paths (/me, /search) come before /:username.
  router.get('/me', users.getMe);
  router.patch('/me', validate(rules.updateProfileRules), users.patchMe);
  router.patch('/me/status', validate(rules.updateStatusRules), users.patchStatus);
  router.get('/me/blocks', validate(pageRules(100)), users.blocks);
  router.get('/search', validate(rules.searchRules), users.search);
  router.get('/me/quota', connections.quota);
  router.post('/:userId/block', validate(rules.userIdParam), users.block);
  router.delete('/:userId/block', validate(rules.userIdParam), users.unblock);
  router.get('/:username', validate(rules.usernameParam), users.getProfile);
  return router;
}
