import { z } from 'zod';
import { AppError } from '../utils/app-error.js';
import { withAck } from './ack.js';
import type { Ack, AppSocket } from './socket.types.js';

export const objectIdSchema = z.string().regex(/^[a-f0-9]{24}$/, 'must be an id');

/** A payload checked against its schema, or a 400 the ack carries. */
export function parsePayload<T>(schema: z.ZodType<T>, payload: unknown): T {
  const parsed = schema.safeParse(payload ?? {});
  if (!parsed.success) {
    throw new AppError(
      400,
      'VALIDATION_FAILED',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

/**
 * Registers a client event answered through its ack. Chat, call and match events are
 * listed in socket.types for clients; each handler checks its own payload with parsePayload.
 */
export function onEvent(socket: AppSocket, event: string, handler: (payload: unknown) => Promise<unknown>): void {
  (socket as unknown as { on(e: string, h: (p: unknown, ack?: Ack<unknown>) => void): void }).on(event, withAck(handler));
}
