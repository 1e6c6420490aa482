import type { z } from 'zod';
import { AppError } from '../utils/app-error.js';
import { withAck } from './ack.js';
import { clientEventSchemas, type ClientEvent, type ClientEventAcks, type ClientPayload } from './socket.events.js';
import type { AppSocket } from './socket.types.js';

/** A payload checked against its schema, or a 400 the ack carries. */
export function parsePayload<T>(schema: z.ZodType<T>, payload: unknown): T {
  const parsed = schema.safeParse(payload ?? {});
  if (!parsed.success) {
    throw new AppError(
      'VALIDATION_FAILED',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

/**
 * Registers a client event answered through its ack: the payload is parsed with the
 * event's schema (socket.events.ts) and the handler gets its parsed type; what it returns
 * is the ack's data, typed per event.
 */
export function onEvent<E extends ClientEvent>(
  socket: AppSocket,
  event: E,
  handler: (payload: ClientPayload<E>) => Promise<ClientEventAcks[E]> | ClientEventAcks[E],
): void {
  const schema = clientEventSchemas[event] as z.ZodType<ClientPayload<E>>;
  const listener = withAck((payload: unknown) => handler(parsePayload(schema, payload)), event, {
    userId: socket.data.user.sub,
    socketId: socket.id,
  });
  // Socket.IO types the listener by the event's declared payload; ours parses whatever came.
  socket.on(event, listener as never);
}
