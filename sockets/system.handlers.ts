import { AppError } from '../utils/app-error.js';
import type { AccessTokens } from '../utils/jwt.js';
import { withAck } from './ack.js';
import { reauthenticate } from './socket-auth.js';
import type { AppSocket } from './socket.types.js';

/** The smallest round trip (proves auth, rooms and acks), and handing in a fresh access token. */
export function registerSystemHandlers(socket: AppSocket, tokens: AccessTokens): void {
  socket.on(
    'system:ping',
    withAck(() => ({ pong: true as const, userId: socket.data.user.sub, serverTime: new Date().toISOString() })),
  );
  socket.on(
    'auth:refresh',
    withAck((payload: unknown) => {
      const token = (payload as { token?: unknown } | null)?.token;
      try {
        return reauthenticate(socket, tokens, token);
      } catch {
        throw new AppError(401, 'INVALID_TOKEN', 'Access token is invalid or expired');
      }
    }),
  );
}
