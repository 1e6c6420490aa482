import type { AppServer } from './socket.types.js';
import { refuse } from './socket-auth.js';

type Middleware = Parameters<AppServer['use']>[0];
type EnginePacket = { type: string; data?: unknown };
type Transport = {
  on(event: 'packet', fn: (this: Transport, packet: EnginePacket) => void): void;
  close(): void;
};

/**
 * One sign-in per connection: only the first CONNECT on a transport is tried. The guard
 * below (closeOnSecondConnect) is what stops a second one: it closes the transport as the
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

// Transports that have sent a CONNECT packet (a Socket.IO packet of type 0).
const connectSent = new WeakSet<object>();

/**
 * Whether an engine message is a Socket.IO CONNECT as the parser reads it: its type is
 * Number() of the first character, so one led by a space or a tab is a CONNECT too. (An
 * empty message carries no data: the decoder throws and Socket.IO closes the transport.)
 */
const isConnect = (packet: EnginePacket): boolean =>
  packet.type === 'message' && typeof packet.data === 'string' && Number(packet.data.charAt(0)) === 0;

/**
 * A second CONNECT closes the transport at once, as the engine hands the packet over: before
 * the sign-in, Socket.IO builds a socket and runs the middleware for every CONNECT it
 * decodes, and the refusals' close comes a tick later, so one 90 KB polling request of
 * 30,000 CONNECTs cost the server about a second of CPU; after it, every CONNECT to a
 * namespace that does not exist is answered (a refusal written back per packet) and the
 * transport kept. Closed, the rest of the request's packets are dropped by the engine
 * unread. One listener for every transport (the emitter is `this`).
 */
function closeOnSecondConnect(this: Transport, packet: EnginePacket): void {
  if (!isConnect(packet)) return;
  if (connectSent.has(this)) return this.close();
  connectSent.add(this);
}

/**
 * Watches every transport the server opens for a second CONNECT, for as long as it is open.
 * Bound to the engine `io` has now: call it again if io is ever attached anew.
 */
export function guardConnects(io: AppServer): void {
  io.engine.on('connection', (transport: Transport) => transport.on('packet', closeOnSecondConnect));
}
