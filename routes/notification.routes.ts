import { Router } from 'express';
import * as notifications from '../controllers/notification.controller.js';
import { authenticate } from '../middlewares/auth.middleware.js';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { validate } from '../middlewares/validate.middleware.js';
import * as rules from '../validators/notification.validators.js';

/** One's own notices and what one wants to hear about, under /notifications. */
export function notificationRoutes(limit: RateLimiters): Router {
  const router = Router();
  router.use(authenticate);
  router.get('/', limit.action('notifications'), validate(rules.listRules), notifications.list);
  router.get('/unread-count', limit.action('notifications'), notifications.unreadCount);
  router.post('/read-all', notifications.markAllRead);
  router.get('/preferences', notifications.preferences);
  router.patch('/preferences', validate(rules.preferenceRules), notifications.setPreferences);
  router.get('/push-setup', notifications.pushSetup);
  router.get('/devices', notifications.listDevices);
  router.post('/devices', validate(rules.deviceRules), notifications.registerDevice);
  router.delete('/devices/:id', validate(rules.idRules), notifications.removeDevice);
  router.post('/:id/read', validate(rules.idRules), notifications.markRead);
  router.delete('/:id', validate(rules.idRules), notifications.remove);
  return router;
}
