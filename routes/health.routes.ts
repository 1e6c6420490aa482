import { Router } from 'express';
import { liveness, readiness } from '../controllers/health.controller.js';
import { scrapeMetrics } from '../controllers/metrics.controller.js';
import { metricsAccess } from '../middlewares/metrics-access.middleware.js';

/**
 * Probes for the load balancer and pm2, and the metrics for Prometheus: outside /api/v1,
 * no auth, no rate limit (the metrics only for the scraper: see metricsAccess).
 */
export function healthRoutes(metricsToken?: string): Router {
  const router = Router();
  router.get('/healthz', liveness);
  router.get('/readyz', readiness);
  router.get('/metrics', metricsAccess(metricsToken), scrapeMetrics);
  return router;
}
