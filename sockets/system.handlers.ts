import { z } from 'zod';
import type { AccessTokens } from '../utils/jwt.js';
import { withAck } from './ack.js';
import { parsePayload } from './payload.js';
import { refreshSocketToken } from './socket-auth.js';
import type { AppSocket } from './socket.types.js';

const refreshSchema = z.strictObject({ token: z.string().min(1).max(4096) });

/** The smallest round trip (proves auth, rooms and acks), and handing in a fresh access token. */
export function registerSystemHandlers(socket: AppSocket, tokens: AccessTokens): void {
  socket.on(
    'system:ping',
    withAck(() => ({ pong: true as const, userId: socket.data.user.sub, serverTime: new Date().toISOString() })),
  );
  socket.on(
    'auth:refresh',
    withAck((payload: unknown) => refreshSocketToken(socket, tokens, parsePayload(refreshSchema, payload).token)),
  );
}
