import type { Router } from 'express';
import type { RateLimiters } from '../middlewares/rate-limit.middleware.js';
import { adminRoutes } from './admin.routes.js';
import { authRoutes } from './auth.routes.js';
import { reportRoutes } from './report.routes.js';
import { userRoutes } from './user.routes.js';

export interface MountedRouter {
  /** Path under /api/v1, as written in the OpenAPI document. */
  basePath: string;
  router: Router;
}

/** Every API router and where it is mounted; the OpenAPI coverage test walks this list. */
export function apiRouters(limit: RateLimiters): MountedRouter[] {
  return [
    { basePath: '/auth', router: authRoutes(limit) },
    { basePath: '/admin', router: adminRoutes() },
    { basePath: '/users', router: userRoutes() },
    { basePath: '/reports', router: reportRoutes() },
  ];
}
