import type { AppServer } from './socket.types.js';
import { refuse } from './socket-auth.js';

type Middleware = Parameters<AppServer['use']>[0];

/**
 * One sign-in per connection: only the first CONNECT on a transport is tried. The guard
 * of transport-guard.ts is what stops a second one: it closes the transport as the
 * packet arrives. This middleware refuses a CONNECT that reaches it on a transport no longer
 * open (closed by that guard, or by closingOnRefusal after a refused sign-in) before it
 * costs a token check or a budget's round trip.
 */
export const firstConnectOnly: Middleware = (socket, next) => {
  if (socket.conn.readyState !== 'open') return next(refuse('CONNECTION_CLOSED', 'One sign-in per connection: open another'));
  next();
};

export const closingOnRefusal =
  (middleware: Middleware): Middleware =>
  (socket, next) =>
    middleware(socket, (err) => {
      next(err);
      // After the refusal's own tick (Socket.IO writes it in a nextTick); close waits for it to drain.
      if (err) process.nextTick(() => socket.conn.close());
    });
