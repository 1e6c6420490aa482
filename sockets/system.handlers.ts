import type { AccessTokens } from '../utils/jwt.js';
import { onEvent } from './payload.js';
import { refreshSocketToken } from './socket-auth.js';
import type { AppSocket } from './socket.types.js';

/** The smallest round trip (proves auth, rooms and acks), and handing in a fresh access token. */
export function registerSystemHandlers(socket: AppSocket, tokens: AccessTokens): void {
  onEvent(socket, 'system:ping', () => ({
    pong: true as const,
    userId: socket.data.user.sub,
    serverTime: new Date().toISOString(),
  }));
  onEvent(socket, 'auth:refresh', ({ token }) => refreshSocketToken(socket, tokens, token));
}
