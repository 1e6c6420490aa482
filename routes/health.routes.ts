import { Router, type IRouter } from 'express';
import { liveness, readiness } from '../controllers/health.controller.js';

/**
 * Probes for the load balancer and pm2: outside /api/v1, no auth, no rate limit. The app
 * takes them as its own routes: a router of their own would be entered by every request.
 */
export function healthRoutes(router: IRouter = Router()): IRouter {
  router.get('/healthz', liveness);
  router.get('/readyz', readiness);
  return router;
}
