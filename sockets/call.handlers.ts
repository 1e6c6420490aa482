import { accept, cancel, decline, hangup, peerFor, relayAddresses, ring } from '../services/match/call.service.js';
import { relayedCandidate, relayOnlySdp } from '../services/match/relay-only.js';
import { AppError } from '../utils/app-error.js';
import { publishToUsers } from '../services/realtime.service.js';
import type { EventHandlers } from './payload.js';
import type { AppSocket } from './socket.types.js';

const me = (socket: AppSocket) => socket.data.user.sub;

// The peer of a call a socket signals on, for a few seconds (ICE comes in bursts): made on
// the socket's first signal, gone with the socket.
type Peer = Awaited<ReturnType<typeof peerFor>>;
const peersBySocket = new WeakMap<AppSocket, Map<string, Peer & { until: number }>>();

async function peerOf(socket: AppSocket, callId: string): Promise<Peer> {
  let peers = peersBySocket.get(socket);
  if (!peers) peersBySocket.set(socket, (peers = new Map()));
  const cached = peers.get(callId);
  if (cached && cached.until > Date.now()) return cached;
  const peer = await peerFor(me(socket), callId);
  peers.set(callId, { ...peer, until: Date.now() + 5000 });
  return peer;
}

/** An offer or answer, to the other peer; a random match's with no address of the sender (relay-only.ts). */
async function passSdp(socket: AppSocket, event: 'rtc:offer' | 'rtc:answer', p: { callId: string; sdp: string }) {
  const { peer, relayOnly } = await peerOf(socket, p.callId);
  publishToUsers([peer], event, { ...p, sdp: relayOnly ? relayOnlySdp(p.sdp, relayAddresses()) : p.sdp, from: me(socket) });
  return { relayed: true as const };
}

const onlyRelayed = () => new AppError('RELAY_ONLY', 'This call carries relayed candidates only');

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
  'rtc:offer': (socket, p) => passSdp(socket, 'rtc:offer', p),
  'rtc:answer': (socket, p) => passSdp(socket, 'rtc:answer', p),
  // A random match's call passes on relayed candidates only, their related address blanked.
  'rtc:ice': async (socket, p) => {
    const { peer, relayOnly } = await peerOf(socket, p.callId);
    const line = relayOnly ? relayedCandidate(p.candidate.candidate, relayAddresses()) : p.candidate.candidate;
    if (line === null) throw onlyRelayed();
    publishToUsers([peer], 'rtc:ice', { ...p, candidate: { ...p.candidate, candidate: line }, from: me(socket) });
    return { relayed: true };
  },
};
