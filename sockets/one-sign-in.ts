import type { AppServer } from './socket.types.js';
import { refuse } from './socket-auth.js';

type Middleware = Parameters<AppServer['use']>[0];
type EnginePacket = { type: string; data?: unknown };
type Transport = {
  on(event: 'packet', fn: (this: Transport, packet: EnginePacket) => void): void;
  off(event: 'packet', fn: (this: Transport, packet: EnginePacket) => void): void;
  close(): void;
};

/**
 * One sign-in per connection: the first CONNECT on a transport is tried, any other (the one
 * whose arrival closed the transport, closeOnSecondConnect below, or one after a refusal) is
 * refused before it costs a token check or a budget's round trip. A refused sign-in closes the
 * connection once the refusal is written. (Socket.IO's own client sends one CONNECT per
 * connection and closes a connection whose only socket was refused anyway; a second CONNECT
 * to a namespace already joined closes the connection in Socket.IO itself.)
 */
const tried = new WeakSet<object>();
export const firstConnectOnly: Middleware = (socket, next) => {
  if (tried.has(socket.conn)) return next(refuse('CONNECTION_CLOSED', 'One sign-in per connection: open another'));
  tried.add(socket.conn);
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

// Transports that have sent a CONNECT packet (a Socket.IO packet of type 0) before signing in.
const connectSent = new WeakSet<object>();

/**
 * A second CONNECT before the sign-in closes the transport at once, as the engine hands the
 * packet over: Socket.IO builds a socket and runs the middleware for every CONNECT it
 * decodes, and the refusals' close comes a tick later, so one 90 KB polling request of
 * 30,000 CONNECTs cost the server about a second of CPU. Closed, the rest of the request's
 * packets are dropped by the engine unread. One listener for every transport (the emitter is
 * `this`), taken off at sign-in (signedIn).
 */
function closeOnSecondConnect(this: Transport, packet: EnginePacket): void {
  if (packet.type !== 'message' || typeof packet.data !== 'string' || !packet.data.startsWith('0')) return;
  if (connectSent.has(this)) return this.close();
  connectSent.add(this);
}

/** Watches every transport the server opens for a second CONNECT until it signs in. */
export function guardConnects(io: AppServer): void {
  io.engine.on('connection', (transport: Transport) => transport.on('packet', closeOnSecondConnect));
}

/**
 * The transport's socket joined: a further CONNECT now closes it in Socket.IO itself, and
 * every disconnect of ours closes the transport, so neither mark nor the listener is kept.
 * Keep it so: a socket.disconnect() without true (or disconnectSockets()) would leave an open
 * transport free to try another sign-in.
 */
export function signedIn(transport: Transport): void {
  transport.off('packet', closeOnSecondConnect);
  connectSent.delete(transport);
  tried.delete(transport);
}
