import { createServer, IncomingMessage, ServerResponse, type RequestListener, type Server } from 'node:http';
import type { Request, Response } from 'express';

/**
 * Fields Express, its router and this app's middleware give most requests, in the order they
 * are first set. Each may exist from the start as undefined only because nothing anywhere
 * tells an own undefined field from a missing one (no `in`, hasOwn or key listing of req),
 * and no prototype holds a getter or a default for it (test/http-server.test.ts checks the
 * second). Left out on purpose: `body` (body-parser tests `'body' in req`), getters of
 * Express's request (req.query, req.ip; the app's lazy req.log and req.cookies), and fields
 * only some routes set (rateLimit, express-validator's contexts). `_parsedUrl` is parseurl's
 * private cache: check it again when parseurl changes.
 */
export const REQUEST_FIELDS = Object.freeze([
  'res',
  'next',
  'baseUrl',
  'originalUrl',
  '_parsedUrl',
  'params',
  'id',
  'route',
  'auth',
  'input',
] as const satisfies readonly (keyof Request | '_parsedUrl')[]);
/** The same for responses: Express's res.locals. (The types check the names; the test keeps getters out.) */
export const RESPONSE_FIELDS = Object.freeze(['locals'] as const satisfies readonly (keyof Response)[]);

/**
 * V8 gives an object the layout its constructor builds, and each field added later moves it
 * to another hidden class. A request gained a dozen fields on its way, in an order that
 * differs by route and outcome, so requests came in many shapes and reads of req and res in
 * Express and in our middleware took V8's slow generic path. Born with those fields, requests
 * share one starting shape and each assignment is a store into a slot they already have.
 */
class AppRequest extends IncomingMessage {
  constructor(...args: ConstructorParameters<typeof IncomingMessage>) {
    super(...args);
    const fields = this as unknown as Record<string, unknown>;
    for (const name of REQUEST_FIELDS) fields[name] = undefined;
  }
}

class AppResponse<Req extends IncomingMessage = IncomingMessage> extends ServerResponse<Req> {
  // Node passes an options object after the request (highWaterMark, rejectNonStandardBodyWrites)
  // that @types/node does not declare: passed on as it comes.
  constructor(...args: [req: Req, options?: unknown]) {
    super(...(args as [Req]));
    const fields = this as unknown as Record<string, unknown>;
    for (const name of RESPONSE_FIELDS) fields[name] = undefined;
  }
}

/** The HTTP server an app is served on (server.ts, the benchmarks, the tests); it does not listen yet. */
export function createAppServer(app: RequestListener): Server {
  return createServer({ IncomingMessage: AppRequest, ServerResponse: AppResponse }, app);
}
