import type { Matchmaker } from '../services/match/matchmaker.js';
import { onEvent } from './payload.js';
import type { AppSocket } from './socket.types.js';

export function registerMatchHandlers(socket: AppSocket, matchmaker: Matchmaker): void {
  const me = () => socket.data.user.sub;
  onEvent(socket, 'match:join', (p) => matchmaker.join(me(), p));
  onEvent(socket, 'match:leave', async () => ({ left: await matchmaker.leave(me()) }));
  onEvent(socket, 'match:respond', ({ matchId, accept }) => matchmaker.respond(me(), matchId, accept));
}
