import type { z } from 'zod';
import { AppError } from '../utils/app-error.js';
import { refuseUnsafeInput } from '../utils/unsafe-input.js';
import { withAck } from './ack.js';
import { clientEventSchemas, type ClientEvent, type ClientEventAcks, type ClientPayload } from './socket.events.js';
import type { AppSocket } from './socket.types.js';

/**
 * A payload checked against its schema, or a 400 the ack carries. Operator keys and broken
 * text (a lone surrogate, a NUL) are refused first, at any depth, as the HTTP edge does.
 */
export function parsePayload<T>(schema: z.ZodType<T>, payload: unknown): T {
  refuseUnsafeInput(payload, 'payload');
  const parsed = schema.safeParse(payload ?? {});
  if (!parsed.success) {
    throw new AppError(
      'VALIDATION_FAILED',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

/** A client event's handler: the socket it came on and its payload as the event's schema parsed it. */
export type EventHandler<E extends ClientEvent> = (
  socket: AppSocket,
  payload: ClientPayload<E>,
) => Promise<ClientEventAcks[E]> | ClientEventAcks[E];

/** Handlers by event, built once per process and shared by every socket. */
export type EventHandlers = { [E in ClientEvent]?: EventHandler<E> };

/**
 * What a socket's one middleware runs for its events once the limits let them through
 * (sockets/index.ts): a handled event is parsed with its
 * schema (socket.events.ts), run, and answered through its ack with `{ ok, data | error }`;
 * anything else goes on unheard. Nothing is registered per socket and event, so an idle
 * socket holds one function, not a listener per event.
 */
export function eventDispatcher(handlers: EventHandlers) {
  const table = new Map(Object.entries(handlers)) as Map<string, EventHandler<ClientEvent>>;
  return (socket: AppSocket, packet: unknown[], next: (err?: Error) => void): void => {
    const event = packet[0] as string;
    const handler = table.get(event);
    if (!handler) return next();
    const last = packet[packet.length - 1];
    const ack = packet.length > 1 && typeof last === 'function' ? (last as (r: unknown) => void) : undefined;
    const payload = packet.length > (ack ? 2 : 1) ? packet[1] : undefined;
    const schema = clientEventSchemas[event as ClientEvent] as z.ZodType<ClientPayload<ClientEvent>>;
    void withAck((p: unknown) => handler(socket, parsePayload(schema, p)), event, {
      userId: socket.data.user.sub,
      socketId: socket.id,
    })(payload, ack);
  };
}
