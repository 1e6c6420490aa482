import type { Request, Response } from 'express';
import { metrics } from '../utils/metrics.js';

/** The Prometheus text format of this process's metrics. */
export async function scrapeMetrics(_req: Request, res: Response) {
  res.type(metrics.contentType).send(await metrics.metrics());
}
