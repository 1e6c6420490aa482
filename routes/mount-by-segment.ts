import { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import type { MountedRouter } from './index.js';

/** The first segment of a pathname, lower-cased as Express matches mount paths: "/Auth/me" -> "auth". */
function firstSegment(path: string): string {
  let end = 1;
  while (end < path.length && path[end] !== '/') end++;
  return path.slice(1, end).toLowerCase();
}

/**
 * Mounts routers as `use(basePath, router, afterEach)` would, grouped by their first path
 * segment: a request walks only the few routers of its own segment, not every router mounted
 * before its own (each one a path match). Order within a segment is kept ("/auth/oauth"
 * before "/auth"); a segment no router has goes on, as it would have after the last one.
 */
export function mountBySegment(mounted: MountedRouter[], afterEach: ErrorRequestHandler): RequestHandler {
  const groups = new Map<string, Router>();
  for (const { basePath, router } of mounted) {
    const segment = firstSegment(basePath);
    let group = groups.get(segment);
    if (!group) groups.set(segment, (group = Router()));
    group.use(basePath, router, afterEach);
  }
  return (req, res, next) => {
    // The pathname, as Express matches mounts: an absolute-form target (GET http://host/...) too.
    const group = groups.get(firstSegment(req.path));
    if (group) group(req, res, next);
    else next();
  };
}
