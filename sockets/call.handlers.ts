import { z } from 'zod';
import { accept, cancel, decline, hangup, peerFor, ring } from '../services/call.service.js';
import { publishToUsers } from '../services/realtime.service.js';
import { objectIdSchema, onEvent, parsePayload } from './payload.js';
import type { AppSocket } from './socket.types.js';

const objectId = objectIdSchema;
const callId = z.strictObject({ callId: objectId });
// Signaling payloads are capped: an SDP is a few kilobytes, a candidate a line.
const sdp = z.strictObject({ callId: objectId, sdp: z.string().min(1).max(20_000) });
const ice = z.strictObject({
  callId: objectId,
  candidate: z.strictObject({
    candidate: z.string().max(1000),
    sdpMid: z.string().max(64).nullable().optional(),
    sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
    usernameFragment: z.string().max(256).nullable().optional(),
  }),
});

export const callSchemas = {
  ring: z.strictObject({ toUserId: objectId, mode: z.enum(['video', 'audio']).default('video') }),
  callId,
  sdp,
  ice,
};

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
  const on = (event: string, handler: (payload: unknown) => Promise<unknown>) => onEvent(socket, event, handler);

  on('call:ring', async (p) => {
    const { toUserId, mode } = parsePayload(callSchemas.ring, p);
    return ring(me(), toUserId, mode);
  });
  on('call:accept', async (p) => accept(me(), parsePayload(callId, p).callId));
  on('call:decline', async (p) => decline(me(), parsePayload(callId, p).callId));
  on('call:cancel', async (p) => cancel(me(), parsePayload(callId, p).callId));
  on('rtc:hangup', async (p) => {
    const id = parsePayload(callId, p).callId;
    peers.delete(id);
    return hangup(me(), id);
  });
  // Relayed only to the other peer of an active call of the sender.
  for (const [event, schema] of [
    ['rtc:offer', sdp],
    ['rtc:answer', sdp],
    ['rtc:ice', ice],
  ] as const) {
    on(event, async (p) => {
      const payload = parsePayload<{ callId: string }>(schema, p);
      const peer = await peerOf(payload.callId);
      publishToUsers([peer], event, { ...payload, from: me() });
      return { relayed: true };
    });
  }
}
