import { Router } from 'express';
import { scrapeMetrics } from '../controllers/metrics.controller.js';
import { metricsAccess } from '../middlewares/metrics-access.middleware.js';

/** Prometheus's scrape of this process: outside /api/v1, for the scraper only (see metricsAccess). */
export function metricsRoutes(metricsToken?: string): Router {
  const router = Router();
  router.get('/metrics', metricsAccess(metricsToken), scrapeMetrics);
  return router;
}
