import { Router } from 'express';
import * as calls from '../controllers/call.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import { iceRules } from '../validators/call.validators.js';
import { pageRules } from '../validators/common.validators.js';

/** ICE servers for WebRTC and one's call history, under /rtc. */
export function rtcRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.use(authenticate);
  router.get('/ice-servers', limit.action('iceServers'), validate(iceRules), calls.ice);
  router.get('/calls', limit.action('peopleLists'), validate(pageRules(100)), calls.calls);
  return router;
}
