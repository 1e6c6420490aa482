import { Router } from 'express';
import { liveness, readiness } from '../controllers/health.controller.js';

/** Probes for the load balancer and pm2: outside /api/v1, no auth, no rate limit. */
export function healthRoutes(): Router {
  const router = Router();
  router.get('/healthz', liveness);
  router.get('/readyz', readiness);
  return router;
}
