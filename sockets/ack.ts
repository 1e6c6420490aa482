import { AppError } from '../utils/app-error.js';
import { errorMessage, logger } from '../utils/logger.js';
import { socketEvents } from '../utils/metrics.js';
import type { Ack, AckResult } from './socket.types.js';

/**
 * Wraps a handler so every event answers through its ack with `{ ok, data | error }`,
 * mirroring the HTTP error path; a client that sent no ack function gets nothing.
 */
export function withAck<P, T>(
  handler: (payload: P) => Promise<T> | T,
  event: string,
  who: { userId?: string; socketId?: string } = {},
) {
  return async (payload: P, ack?: Ack<T>) => {
    let result: AckResult<T>;
    try {
      result = { ok: true, data: await handler(payload) };
    } catch (err) {
      // As over HTTP: the code, its message, and its details where it has them (a plan's limit, one's own call).
      if (err instanceof AppError)
        result = {
          ok: false,
          error: { code: err.code, message: err.message, ...(err.details !== undefined && { details: err.details }) },
        };
      else {
        logger.error('socket handler failed', { event, ...who, error: errorMessage(err) });
        result = { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side' } };
      }
    }
    socketEvents.inc({ event, outcome: result.ok ? 'ok' : result.error.code });
    if (typeof ack === 'function') ack(result);
  };
}
