import { createServer, IncomingMessage, ServerResponse, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The fields Express, its router and this app's middleware give every request, in the order
 * they are first set. Only fields that are always assigned before anything reads them and
 * that nothing tests with `in`: never a getter of Express's request (req.query, req.ip,
 * req.cookies, req.log), which an own field would hide (test/http-server.test.ts checks).
 */
export const REQUEST_FIELDS = ['res', 'next', 'baseUrl', 'originalUrl', '_parsedUrl', 'params', 'id', 'route', 'auth', 'input'];
/** The same for responses: Express's res.locals. */
export const RESPONSE_FIELDS = ['locals'];

/**
 * V8 gives an object the layout its constructor builds, and each field added later moves it
 * to another hidden class. A request gained a dozen fields on its way (in an order that
 * differs by route and outcome), so requests came in many shapes and every read of req or
 * res in Express and in our middleware took V8's slow generic path. Born with those fields,
 * all requests share one shape and each assignment is a store into a slot they already have.
 */
class AppRequest extends IncomingMessage {
  constructor(socket: Socket) {
    super(socket);
    const fields = this as unknown as Record<string, unknown>;
    for (const name of REQUEST_FIELDS) fields[name] = undefined;
  }
}

class AppResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  constructor(req: Request) {
    super(req);
    const fields = this as unknown as Record<string, unknown>;
    for (const name of RESPONSE_FIELDS) fields[name] = undefined;
  }
}

/** The HTTP server an app is served on (server.ts, the benchmarks, the tests); it does not listen yet. */
export function createAppServer(app: RequestListener): Server {
  return createServer({ IncomingMessage: AppRequest, ServerResponse: AppResponse }, app);
}
