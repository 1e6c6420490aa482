import type { Matchmaker } from '../services/match/matchmaker.js';
import type { EventHandlers } from './payload.js';

export const matchHandlers = (matchmaker: Matchmaker): EventHandlers => ({
  'match:join': (socket, p) => matchmaker.join(socket.data.user.sub, p),
  'match:leave': async (socket) => ({ left: await matchmaker.leave(socket.data.user.sub) }),
  'match:respond': (socket, { matchId, accept }) => matchmaker.respond(socket.data.user.sub, matchId, accept),
});
