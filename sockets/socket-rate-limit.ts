import type { AppSocket } from './socket.types.js';

export interface SocketRateLimit {
  /** Events allowed per window, per socket. */
  events: number;
  windowMs: number;
}

/**
 * Per-socket flood guard: past the limit an event is dropped, and if it carried an ack
 * the client hears RATE_LIMITED, as an HTTP client would hear 429.
 */
export function limitSocketEvents(socket: AppSocket, { events, windowMs }: SocketRateLimit): void {
  let windowStart = 0;
  let count = 0;
  socket.use((packet, next) => {
    const now = Date.now();
    if (now - windowStart >= windowMs) {
      windowStart = now;
      count = 0;
    }
    if (++count <= events) return next();
    const ack = packet[packet.length - 1];
    if (typeof ack === 'function') {
      (ack as (r: unknown) => void)({ ok: false, error: { code: 'RATE_LIMITED', message: 'Too many events; slow down' } });
    }
  });
}
