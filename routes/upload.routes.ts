import { Router } from 'express';
import { giveBackUnread } from '../controllers/upload.controller.js';
import { optionalAuth } from '../middlewares/auth.middleware.js';

/** What nginx tells the app about uploads it admitted, under /uploads. */
export function uploadRoutes(): Router {
  const router = Router();
  router.get('/unread', optionalAuth, giveBackUnread);
  return router;
}
