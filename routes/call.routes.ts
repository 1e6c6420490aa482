import { Router } from 'express';
import * as calls from '../controllers/call.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { pageRules } from '../validators/common.validators.js';

/** ICE servers for WebRTC, under /rtc. */
export function rtcRoutes(): Router {
  const router = Router();
  router.get('/ice-servers', authenticate, calls.ice);
  return router;
}

/** One's calls (and, with matchmaking, matches), under /match. */
export function matchRoutes(): Router {
  const router = Router();
  router.use(authenticate);
  router.get('/history', validate(pageRules(100)), calls.history);
  router.get('/active', calls.active);
  return router;
}
