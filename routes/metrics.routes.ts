import { Router, type IRouter } from 'express';
import { scrapeMetrics } from '../controllers/metrics.controller.js';
import { metricsAccess } from '../middlewares/metrics-access.middleware.js';

/**
 * Prometheus's scrape of this process: outside /api/v1, for the scraper only (see
 * metricsAccess). Added to the app itself, like the health probes.
 */
export function metricsRoutes(metricsToken?: string, router: IRouter = Router()): IRouter {
  router.get('/metrics', metricsAccess(metricsToken), scrapeMetrics);
  return router;
}
