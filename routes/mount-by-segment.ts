import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { runInSeries } from '../middlewares/in-series.js';
import { AppError } from '../utils/app-error.js';
import type { MountedRouter } from './index.js';

/** The first segment of a pathname from `from`, lower-cased as Express matches mount paths: "/Auth/me" -> "auth". */
function firstSegment(path: string, from = 0): string {
  let end = from + 1;
  while (end < path.length && path[end] !== '/') end++;
  return path.slice(from + 1, end).toLowerCase();
}

/** A mount path as Express matches it: whatever the case, with or without a trailing slash. */
const asMountPath = (path: string) => path.toLowerCase().replace(/\/+$/, '');

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

/** An area router and the lower-cased path it is mounted at ("/api/v1/auth"). */
interface Area {
  path: string;
  router: Router;
}

/**
 * Where the protocol and host of an absolute-form target end ("http://host/a" -> 11), else 0:
 * Express's router (getProtohost in router/index.js) keeps them on req.url the same way.
 */
function protohostLength(url: string): number {
  if (url[0] === '/') return 0;
  const scheme = url.indexOf('://');
  const query = url.indexOf('?');
  if (scheme === -1 || (query !== -1 && query < scheme)) return 0;
  const slash = url.indexOf('/', scheme + 3);
  return slash === -1 ? 0 : slash;
}

/**
 * Runs the areas from `index` on as one Express router holding `use(area.path, area.router,
 * afterEach)` for each would, without entering that router: each area the path is under
 * gets the request with its path taken off req.url and put on req.baseUrl (in the case the
 * client wrote it), and both are put back when the area passes the request on. An error
 * from an area goes to afterEach while its base path still holds, then out to `next`.
 */
function enterAreas(
  areas: Area[],
  index: number,
  path: string,
  req: Request,
  res: Response,
  next: NextFunction,
  afterEach: ErrorRequestHandler,
): void {
  let at = index;
  while (at < areas.length && !isUnder(path, areas[at]!.path)) at++;
  const area = areas[at];
  if (!area) return void next();
  const { url, baseUrl } = req;
  const host = protohostLength(url);
  // The area was picked from the parsed path and its part is cut from the raw target: they must
  // agree (rejectMalformedTarget refuses what the parser rewrites; this holds if it misses one).
  if (url.slice(host, host + area.path.length).toLowerCase() !== area.path) {
    return void next(new AppError('MALFORMED_URL', 'The request target could not be routed as written'));
  }
  const rest = url.slice(host + area.path.length);
  req.url = url.slice(0, host) + (host || rest[0] === '/' ? rest : `/${rest}`);
  req.baseUrl = baseUrl + path.slice(0, area.path.length);
  area.router(req, res, (err?: unknown) => {
    if (!err) {
      restoreTarget(req, url, baseUrl);
      return enterAreas(areas, at + 1, path, req, res, next, afterEach);
    }
    try {
      afterEach(err, req, res, (after?: unknown) => {
        restoreTarget(req, url, baseUrl);
        if (after) next(after);
        else enterAreas(areas, at + 1, path, req, res, next, afterEach);
      });
    } catch (thrown) {
      restoreTarget(req, url, baseUrl);
      next(thrown);
    }
  });
}

/** Puts back the target an area was entered with (a function of the module, not a named closure per request: see SeriesRun). */
function restoreTarget(req: Request, url: string, baseUrl: string): void {
  req.url = url;
  req.baseUrl = baseUrl;
}

/**
 * The API as one handler on the app, for `app.use(mountBySegment(...))`: what
 * `app.use(prefix, ...before, ...routers)` would do, with fewer routers entered on the way.
 * Each Express router a request passes through re-parses its URL and allocates its own
 * dispatch state, so the prefix is checked here rather than by a router of its own, the
 * `before` handlers run in series here, and the routers are grouped by their first path
 * segment: a request walks only the few routers of its own segment ("/auth/oauth" before
 * "/auth", in order), not every router mounted before it, and enters only the one it is
 * under (enterAreas), not a router of the group's. A path under the prefix that no router
 * has goes on, as it would have after the last one.
 */
export function mountBySegment({ prefix: given, before, routers, afterEach }: ApiMount): RequestHandler {
  const prefix = asMountPath(given);
  const groups = new Map<string, Area[]>();
  for (const { basePath, router } of routers) {
    const segment = firstSegment(basePath);
    let group = groups.get(segment);
    if (!group) groups.set(segment, (group = []));
    group.push({ path: asMountPath(prefix + basePath), router });
  }
  return (req, res, next) => {
    // The pathname, as Express matches mounts: an absolute-form target (GET http://host/...) too.
    const path = req.path;
    if (!isUnder(path, prefix)) return void next();
    const group = groups.get(firstSegment(path, prefix.length));
    runInSeries(before, req, res, (err?: unknown) => {
      // 'router' leaves the API as it left the API's own router; 'route' does too (runInSeries).
      if (err === 'route' || err === 'router') next();
      else if (err) next(err);
      else if (group) enterAreas(group, 0, path, req, res, next, afterEach);
      else next();
    });
  };
}
