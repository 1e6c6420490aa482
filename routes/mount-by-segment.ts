import { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { runInSeries } from '../middlewares/in-series.js';
import type { MountedRouter } from './index.js';

/** The first segment of a pathname from `from`, lower-cased as Express matches mount paths: "/Auth/me" -> "auth". */
function firstSegment(path: string, from = 0): string {
  let end = from + 1;
  while (end < path.length && path[end] !== '/') end++;
  return path.slice(from + 1, end).toLowerCase();
}

/** Whether `path` is `prefix` or below it, case-insensitively as Express matches a mount path. */
function isUnder(path: string, prefix: string): boolean {
  if (path.length < prefix.length || path.slice(0, prefix.length).toLowerCase() !== prefix) return false;
  return path.length === prefix.length || path[prefix.length] === '/';
}

export interface ApiMount {
  /** Where the API lives ("/api/v1"). */
  prefix: string;
  /** Run for every request under the prefix before its router (identification, CSRF, budgets). */
  before: RequestHandler[];
  /** The routers, each at its base path below the prefix. */
  routers: MountedRouter[];
  /** After each router, for errors only. */
  afterEach: ErrorRequestHandler;
}

/**
 * The API as one handler on the app, for `app.use(mountBySegment(...))`: what
 * `app.use(prefix, ...before, ...routers)` would do, with fewer routers entered on the way.
 * Each Express router a request passes through re-parses its URL and allocates its own
 * dispatch state, so the prefix is checked here rather than by a router of its own, the
 * `before` handlers run in series here, and the routers are grouped by their first path
 * segment: a request walks only the few routers of its own segment ("/auth/oauth" before
 * "/auth", in order), not every router mounted before it. A path under the prefix that no
 * router has goes on, as it would have after the last one.
 */
export function mountBySegment({ prefix: given, before, routers, afterEach }: ApiMount): RequestHandler {
  // Matched as Express matches a mount path: whatever the case, with or without a trailing slash.
  const prefix = given.toLowerCase().replace(/\/+$/, '');
  const groups = new Map<string, Router>();
  for (const { basePath, router } of routers) {
    const segment = firstSegment(basePath);
    let group = groups.get(segment);
    if (!group) groups.set(segment, (group = Router()));
    group.use(prefix + basePath, router, afterEach);
  }
  return (req, res, next) => {
    // The pathname, as Express matches mounts: an absolute-form target (GET http://host/...) too.
    const path = req.path;
    if (!isUnder(path, prefix)) return void next();
    const group = groups.get(firstSegment(path, prefix.length));
    runInSeries(before, req, res, (err?: unknown) => {
      // 'router' leaves the API as it left the API's own router; 'route' does too (see runInSeries).
      if (err === 'route' || err === 'router') next();
      else if (err) next(err);
      else if (group) group(req, res, next);
      else next();
    });
  };
}
