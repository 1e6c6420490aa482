import { accept, cancel, decline, hangup, peerFor, ring } from '../services/match/call.service.js';
import { publishToUsers } from '../services/realtime.service.js';
import type { EventHandlers } from './payload.js';
import type { AppSocket } from './socket.types.js';

const me = (socket: AppSocket) => socket.data.user.sub;

// The peer of a call a socket signals on, for a few seconds (ICE comes in bursts): made on
// the socket's first signal, gone with the socket.
const peersBySocket = new WeakMap<AppSocket, Map<string, { peer: string; until: number }>>();

async function peerOf(socket: AppSocket, callId: string): Promise<string> {
  let peers = peersBySocket.get(socket);
  if (!peers) peersBySocket.set(socket, (peers = new Map()));
  const cached = peers.get(callId);
  if (cached && cached.until > Date.now()) return cached.peer;
  const peer = await peerFor(me(socket), callId);
  peers.set(callId, { peer, until: Date.now() + 5000 });
  return peer;
}

export const callHandlers: EventHandlers = {
  'call:ring': (socket, { toUserId, mode }) => ring(me(socket), toUserId, mode),
  'call:accept': (socket, { callId }) => accept(me(socket), callId),
  'call:decline': (socket, { callId }) => decline(me(socket), callId),
  'call:cancel': (socket, { callId }) => cancel(me(socket), callId),
  'rtc:hangup': (socket, { callId }) => {
    peersBySocket.get(socket)?.delete(callId);
    return hangup(me(socket), callId);
  },
  // Relayed only to the other peer of an active call of the sender.
  'rtc:offer': async (socket, p) => {
    publishToUsers([await peerOf(socket, p.callId)], 'rtc:offer', { ...p, from: me(socket) });
    return { relayed: true };
  },
  'rtc:answer': async (socket, p) => {
    publishToUsers([await peerOf(socket, p.callId)], 'rtc:answer', { ...p, from: me(socket) });
    return { relayed: true };
  },
  'rtc:ice': async (socket, p) => {
    publishToUsers([await peerOf(socket, p.callId)], 'rtc:ice', { ...p, from: me(socket) });
    return { relayed: true };
  },
};
