import type { AppSocket } from './socket.types.js';
import { withAck } from './ack.js';

/** The smallest round trip: proves auth, rooms and acks work end to end. */
export function registerSystemHandlers(socket: AppSocket): void {
  socket.on(
    'system:ping',
    withAck(() => ({ pong: true as const, userId: socket.data.user.sub, serverTime: new Date().toISOString() })),
  );
}
