import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Runs handlers one after another as one Express layer runs several: a thrown error or a
 * rejected promise goes on as next(err) would, and so does the first error passed on.
 * `next('router')` leaves the series (done gets it as it is). `next('route')` goes on to the
 * next handler when `routeGoesOn`, as Express's router does for `use` handlers; otherwise it
 * leaves the series too (mountBySegment: a common handler of the API that sent it would mean
 * to skip the API).
 */
export function runInSeries(
  handlers: RequestHandler[],
  req: Request,
  res: Response,
  done: NextFunction,
  routeGoesOn = false,
): void {
  new SeriesRun(handlers, req, res, done, routeGoesOn).next();
}

/**
 * One request's way through a series. `next`, the function each handler is given, is made in
 * the constructor and not as a named local: tsx (which serves the benchmarks and tests) gives
 * a named function made per call a name with Object.defineProperty, per request here.
 */
class SeriesRun {
  private at = 0;
  readonly next: (err?: unknown) => void;

  constructor(
    private readonly handlers: RequestHandler[],
    private readonly req: Request,
    private readonly res: Response,
    private readonly done: NextFunction,
    private readonly routeGoesOn: boolean,
  ) {
    this.next = (err) => this.step(err);
  }

  private step(err: unknown): void {
    if (err && !(err === 'route' && this.routeGoesOn)) return void this.done(err);
    const handler = this.handlers[this.at++];
    if (!handler) return void this.done();
    try {
      const returned: unknown = handler(this.req, this.res, this.next);
      if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') {
        (returned as PromiseLike<unknown>).then(undefined, (e: unknown) => this.step(e || new Error('Rejected promise')));
      }
    } catch (e) {
      this.step(e || new Error('Thrown falsy value'));
    }
  }
}

/**
 * Several application-wide handlers as one Express layer: `app.use(inSeries(a, b, c))` does
 * what `app.use(a, b, c)` does for handlers mounted at the root, without the router's
 * matching and dispatch state for each (every request passes through all of them). As there,
 * `next('route')` from one goes on to the next: a check after it is never skipped.
 */
export function inSeries(...handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => runInSeries(handlers, req, res, next, true);
}
