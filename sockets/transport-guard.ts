import type { AppServer } from './socket.types.js';

type EnginePacket = { type: string; data?: unknown };
type Transport = {
  on(event: 'packet' | 'packetCreate', fn: (this: Transport, packet: EnginePacket) => void): void;
  close(discard?: boolean): void;
  /** Packets written and waiting for the client to read them (over long-polling, its next GET). */
  writeBuffer: EnginePacket[];
};

/**
 * A connection whose client takes nothing of what is written to it is closed, what waits
 * discarded: a long-polling client that never polls (its pongs, or any packet, keep it
 * alive) or a WebSocket whose reader stopped would have every answer and broadcast held for
 * it in this process's memory. Taking nothing means packets have waited, none sent, for as
 * long as a silent client is given (the ping interval and timeout: a slow link downloading a
 * large answer is not cut off), or so many that no reader lets them gather: more than
 * UNREAD_PACKETS_MAX, or UNREAD_CHARS_MAX characters of encoded packets.
 */
export const UNREAD_PACKETS_MAX = 10_000;
export const UNREAD_CHARS_MAX = 32 * 1024 * 1024;

const sizeOf = (packet: EnginePacket): number =>
  typeof packet.data === 'string' ? packet.data.length : ((packet.data as { byteLength?: number } | undefined)?.byteLength ?? 0);

/**
 * Since when, and how much, waits in a write buffer. Keyed by the buffer itself: the engine
 * swaps in a new array each time it sends what waited, so the record goes with it.
 */
const waitingIn = new WeakMap<object, { since: number; chars: number }>();

/** What waits in `buffer`, counted once when first asked (from `now`), then added to. */
function waitingRecord(buffer: EnginePacket[], now: number): { since: number; chars: number } {
  let waiting = waitingIn.get(buffer);
  if (!waiting) {
    waiting = { since: now, chars: 0 };
    for (const p of buffer) waiting.chars += sizeOf(p);
    waitingIn.set(buffer, waiting);
  }
  return waiting;
}

// Transports being closed for what they left unread (the close comes a tick later).
const overflowing = new WeakSet<object>();

/**
 * Read for every packet the server writes to a client, before it joins what waits. With
 * nothing waiting (the common case) it costs one length read; otherwise what waits is
 * counted once and added to, packet by packet. The close comes a tick later: the write may
 * be one of a broadcast's, in the middle of the adapter's loop.
 */
function unreadCap(stalledMs: number) {
  return function capUnread(this: Transport, packet: EnginePacket): void {
    const buffer = this.writeBuffer;
    if (buffer.length === 0) return;
    const now = Date.now();
    const waiting = waitingRecord(buffer, now);
    waiting.chars += sizeOf(packet);
    if (buffer.length < UNREAD_PACKETS_MAX && waiting.chars <= UNREAD_CHARS_MAX && now - waiting.since <= stalledMs) return;
    closeUnread(this);
  };
}

function closeUnread(transport: Transport): void {
  if (overflowing.has(transport)) return;
  overflowing.add(transport);
  process.nextTick(() => transport.close(true));
}

/**
 * Read for every packet a client sends: what waits for it is timed from then on if it was
 * not already, and closed once it has waited too long. Without this, a client that lets
 * packets gather and then only sends pongs of its own (each one puts the server's next ping
 * off) would have no write come to check them, and keep them for good.
 */
function stallCheck(stalledMs: number) {
  return function checkStalled(this: Transport): void {
    const buffer = this.writeBuffer;
    if (buffer.length === 0) return;
    const now = Date.now();
    if (now - waitingRecord(buffer, now).since > stalledMs) closeUnread(this);
  };
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
 * a client that takes nothing for `stalledMs` or lets too much gather. Bound to the engine
 * `io` has now: call it again if io is ever attached anew.
 */
export function guardTransports(io: AppServer, stalledMs: number): void {
  const capUnread = unreadCap(stalledMs);
  const checkStalled = stallCheck(stalledMs);
  io.engine.on('connection', (transport: Transport) => {
    transport.on('packet', closeOnSecondConnect);
    transport.on('packet', checkStalled);
    transport.on('packetCreate', capUnread);
  });
}
