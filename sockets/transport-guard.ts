import type { AppServer } from './socket.types.js';

type EnginePacket = { type: string; data?: unknown };
type Transport = {
  on(event: 'packet' | 'packetCreate', fn: (this: Transport, packet: EnginePacket) => void): void;
  close(discard?: boolean): void;
  /** Packets written and waiting for the client to read them (over long-polling, its next GET). */
  writeBuffer: EnginePacket[];
};

/**
 * What a connection may leave unread before it is closed, in packets and in characters of
 * the encoded packets. A long-polling client that reads has a request waiting most of the
 * time and rarely more than a few packets between two; one that only sends (its pongs, or
 * any packet, keep it alive) or stops reading would have every answer and broadcast held
 * for it in this process's memory, a chat:sync answer alone up to a few megabytes.
 */
export const UNREAD_PACKETS_MAX = 1000;
export const UNREAD_CHARS_MAX = 8 * 1024 * 1024;

const sizeOf = (packet: EnginePacket): number =>
  typeof packet.data === 'string' ? packet.data.length : ((packet.data as { byteLength?: number } | undefined)?.byteLength ?? 0);

// Transports being closed for what they left unread (the close comes a tick later).
const overflowing = new WeakSet<object>();

/**
 * Read for every packet the server writes to a client, before it joins what waits: with
 * packets already waiting (the common case has none, and costs one length read), their count
 * and size are checked, and past either limit the transport is closed, what waits discarded.
 * A tick later: the write may be one of a broadcast's, in the middle of the adapter's loop.
 */
function capUnread(this: Transport, packet: EnginePacket): void {
  const waiting = this.writeBuffer;
  if (waiting.length === 0 || overflowing.has(this)) return;
  let chars = sizeOf(packet);
  for (const p of waiting) chars += sizeOf(p);
  if (waiting.length < UNREAD_PACKETS_MAX && chars <= UNREAD_CHARS_MAX) return;
  overflowing.add(this);
  process.nextTick(() => this.close(true));
}

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
 * Read for every packet a client sends, as the engine hands it over. A second CONNECT
 * closes the transport at once: before the sign-in, Socket.IO builds a socket and runs the
 * middleware for every CONNECT it decodes, and the refusals' close comes a tick later, so one
 * 90 KB polling request of 30,000 CONNECTs cost the server about a second of CPU; after it,
 * every CONNECT to a namespace that does not exist is answered (a refusal written back per
 * packet) and the transport kept. Closed, the rest of the request's packets are dropped by
 * the engine unread. One listener for every transport (the emitter is `this`).
 */
function closeOnSecondConnect(this: Transport, packet: EnginePacket): void {
  if (!isConnect(packet)) return;
  if (connectSent.has(this)) return this.close();
  connectSent.add(this);
}

/**
 * Watches every transport the server opens, for as long as it is open: a second CONNECT, and
 * a client that does not read. Bound to the engine `io` has now: call it again if io is ever
 * attached anew.
 */
export function guardTransports(io: AppServer): void {
  io.engine.on('connection', (transport: Transport) => {
    transport.on('packet', closeOnSecondConnect);
    transport.on('packetCreate', capUnread);
  });
}
