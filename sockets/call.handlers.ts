import { accept, cancel, decline, hangup, peerFor, ring } from '../services/match/call.service.js';
import { publishToUsers } from '../services/realtime.service.js';
import { onEvent } from './payload.js';
import type { AppSocket } from './socket.types.js';

export function registerCallHandlers(socket: AppSocket): void {
  const me = () => socket.data.user.sub;
  // The peer of a call this socket signals on, for a few seconds: ICE comes in bursts.
  const peers = new Map<string, { peer: string; until: number }>();
  const peerOf = async (id: string) => {
    const cached = peers.get(id);
    if (cached && cached.until > Date.now()) return cached.peer;
    const peer = await peerFor(me(), id);
    peers.set(id, { peer, until: Date.now() + 5000 });
    return peer;
  };

  onEvent(socket, 'call:ring', ({ toUserId, mode }) => ring(me(), toUserId, mode));
  onEvent(socket, 'call:accept', ({ callId }) => accept(me(), callId));
  onEvent(socket, 'call:decline', ({ callId }) => decline(me(), callId));
  onEvent(socket, 'call:cancel', ({ callId }) => cancel(me(), callId));
  onEvent(socket, 'rtc:hangup', ({ callId }) => {
    peers.delete(callId);
    return hangup(me(), callId);
  });
  // Relayed only to the other peer of an active call of the sender.
  onEvent(socket, 'rtc:offer', async (p) => {
    publishToUsers([await peerOf(p.callId)], 'rtc:offer', { ...p, from: me() });
    return { relayed: true };
  });
  onEvent(socket, 'rtc:answer', async (p) => {
    publishToUsers([await peerOf(p.callId)], 'rtc:answer', { ...p, from: me() });
    return { relayed: true };
  });
  onEvent(socket, 'rtc:ice', async (p) => {
    publishToUsers([await peerOf(p.callId)], 'rtc:ice', { ...p, from: me() });
    return { relayed: true };
  });
}
