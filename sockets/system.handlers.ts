import type { AccessTokens } from '../utils/jwt.js';
import type { EventHandlers } from './payload.js';
import { refreshSocketToken } from './socket-auth.js';

/** The smallest round trip (proves auth, rooms and acks), and handing in a fresh access token. */
export const systemHandlers = (tokens: AccessTokens): EventHandlers => ({
  'system:ping': (socket) => ({
    pong: true as const,
    userId: socket.data.user.sub,
    serverTime: new Date().toISOString(),
  }),
  'auth:refresh': (socket, { token }) => refreshSocketToken(socket, tokens, token),
});
