import type { RateAction } from '../config/rate-rules.js';
import { RateLimitedError, type ActionLimiter } from '../services/limits/action-limiter.js';
import type { AckResult } from './socket.types.js';
import type { AppSocket } from './socket.types.js';

export interface SocketRateLimit {
  /** Events allowed per window, per user, across all of the user's sockets in this process. */
  events: number;
  windowMs: number;
}

/** The client events that are writes with a budget of their own, shared with the HTTP routes. */
const EVENT_ACTIONS: Partial<Record<string, RateAction>> = {
  'chat:send': 'message',
  'chat:edit': 'message',
  'chat:react': 'like',
  // A sync reads a few buckets of every active conversation: counted like history pages.
  'chat:sync': 'history',
  'match:join': 'matchJoin',
  'call:ring': 'call',
};

const refuse = (packet: unknown[], retryAfterSeconds: number) => {
  const ack = packet[packet.length - 1];
  if (typeof ack !== 'function') return;
  const result: AckResult<never> = {
    ok: false,
    error: { code: 'RATE_LIMITED', message: 'Too many events; slow down', retryAfterSeconds },
  };
  (ack as (r: unknown) => void)(result);
};

/**
 * Flood guard of one process: each user has one budget of events per window whatever
 * number of sockets they open (a window is made on a user's first event and forgotten
 * when it has passed), and events that are writes also take from the user's action
 * budget, in Redis when configured. Past either, the event is dropped and its ack hears
 * RATE_LIMITED with the seconds to wait; a socket refused more than the event budget in
 * one window is closed. Run first in a socket's one middleware (sockets/index.ts).
 */
export function socketLimits({ events, windowMs }: SocketRateLimit, actions: ActionLimiter) {
  const windows = new Map<string, { start: number; count: number }>();
  let sweptAt = 0;
  return (socket: AppSocket, packet: unknown[], next: (err?: Error) => void): void => {
    const userId = socket.data.user.sub;
    // Socket.IO hands over each packet a tick after decoding a request's whole batch: what
    // came after a closing in the same request is dropped here, before any work.
    if (socket.conn.readyState !== 'open') return;
    const now = Date.now();
    if (now - sweptAt > windowMs * 10) {
      sweptAt = now;
      for (const [id, w] of windows) if (now - w.start >= windowMs) windows.delete(id);
    }
    let w = windows.get(userId);
    if (!w || now - w.start >= windowMs) windows.set(userId, (w = { start: now, count: 0 }));
    if (++w.count > events) {
      // A socket told to wait that keeps on is not listening: past a budget's worth of
      // refusals of its own it is disconnected (rooms, presence and its place let go at
      // once) and its connection closed once the refusals are read, so a request packed
      // with events cannot buy an answer for each. The account's other sockets, refused
      // as well, are not closed for it.
      const refused = socket.data.refused?.window === w.start ? socket.data.refused : { window: w.start, count: 0 };
      socket.data.refused = refused;
      if (++refused.count > events) return void socket.disconnect(true);
      return refuse(packet, Math.ceil((w.start + windowMs - now) / 1000));
    }
    // Own keys only: an event named "toString" is no write with a budget.
    const action = Object.hasOwn(EVENT_ACTIONS, packet[0] as string) ? EVENT_ACTIONS[packet[0] as string] : undefined;
    if (!action) return next();
    actions.take(action, { userId }).then(
      () => next(),
      (err: unknown) => (err instanceof RateLimitedError ? refuse(packet, err.retryAfterSeconds) : next(err as Error)),
    );
  };
}
