import { z } from 'zod';
import type * as calls from '../services/match/call.service.js';
import type * as chat from '../services/chat/message.service.js';
import type { setTyping } from '../services/chat/typing.service.js';
import type { Matchmaker } from '../services/match/matchmaker.js';
import type { RealtimeEvent, RealtimeEvents } from '../services/realtime.service.js';
import type { LiveSnapshot } from '../services/analytics/live-snapshot.js';
import type { ErrorCode } from '../utils/error-codes.js';
import { normaliseTag } from '../utils/text.js';
import { editFields, objectId as idOf, readFields, sendFields } from '../validators/chat.schemas.js';

/**
 * Every Socket.IO event, both ways, in one place: what a client may send (its payload
 * schema and what its ack carries back) and what the server pushes (the services' list in
 * realtime.service). The typed server and the handlers are derived from these, so an
 * event handled or emitted with the wrong shape does not compile.
 */

const objectId = idOf();
const callId = z.strictObject({ callId: objectId });
// One emoji (a sequence as keyboards send it, or a lone pictograph): each is a key of the
// message's reaction map, so nothing else may be one ("👍a1", "👍a2"... made keys without end).
// The refinement is the rule (a flag is no pictograph); the pattern is what JSON Schema can say of it.
const ONE_EMOJI = new RegExp('^(?:\\p{RGI_Emoji}|\\p{Extended_Pictographic}\\uFE0F?)$', 'v');
const emoji = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[^.$\s]+$/u, 'must be one emoji')
  .refine((s) => ONE_EMOJI.test(s), 'must be one emoji');
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

/** The payload schema of each client event. */
export const clientEventSchemas = {
  'system:ping': z.unknown(),
  'auth:refresh': z.strictObject({ token: z.string().min(1).max(4096) }),
  'chat:send': z
    .strictObject({ conversationId: objectId.optional(), toUserId: objectId.optional(), ...sendFields })
    .refine((p) => Boolean(p.conversationId) !== Boolean(p.toUserId), 'give conversationId or toUserId'),
  'chat:typing': z.strictObject({ conversationId: objectId, isTyping: z.boolean() }),
  'chat:read': z.strictObject({ conversationId: objectId, ...readFields }),
  'chat:react': z.strictObject({ messageId: objectId, emoji }),
  'chat:edit': z.strictObject({ messageId: objectId, ...editFields }),
  'chat:delete': z.strictObject({ messageId: objectId }),
  'chat:sync': z.strictObject({
    since: z
      .string()
      .max(64)
      .regex(/^\d{1,15}_([a-f0-9]{24})?$/)
      .optional(),
  }),
  'call:ring': z.strictObject({ toUserId: objectId, mode: z.enum(['video', 'audio']).default('video') }),
  'call:accept': callId,
  'call:decline': callId,
  'call:cancel': callId,
  'rtc:hangup': callId,
  'rtc:offer': sdp,
  'rtc:answer': sdp,
  'rtc:ice': ice,
  'match:join': z.strictObject({
    mode: z.enum(['chat', 'video']),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code')
      .transform((c) => c.toUpperCase())
      .optional(),
    interests: z
      .array(z.string().min(1).max(60))
      .max(10)
      .transform((list) => [...new Set(list.map(normaliseTag).filter(Boolean))])
      .optional(),
    preference: z.enum(['dating', 'friendship']).optional(),
  }),
  'match:leave': z.unknown(),
  'match:respond': z.strictObject({ matchId: objectId, accept: z.boolean() }),
};

export type ClientEvent = keyof typeof clientEventSchemas;
/** What a handler receives: the payload as its schema parsed it. */
export type ClientPayload<E extends ClientEvent> = z.output<(typeof clientEventSchemas)[E]>;

type Result<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

/** What each client event's ack carries back when it succeeds. */
export interface ClientEventAcks {
  'system:ping': { pong: true; userId: string; serverTime: string };
  'auth:refresh': { expiresAt: string };
  'chat:send': chat.MessageView;
  'chat:typing': Result<typeof setTyping>;
  'chat:read': Result<typeof chat.markRead>;
  'chat:react': Result<typeof chat.toggleReaction>;
  'chat:edit': chat.MessageView;
  'chat:delete': { id: string };
  'chat:sync': Result<typeof chat.syncMessages>;
  'call:ring': Result<typeof calls.ring>;
  'call:accept': Result<typeof calls.accept>;
  'call:decline': Result<typeof calls.decline>;
  'call:cancel': Result<typeof calls.cancel>;
  'rtc:hangup': Result<typeof calls.hangup>;
  'rtc:offer': { relayed: true };
  'rtc:answer': { relayed: true };
  'rtc:ice': { relayed: true };
  'match:join': Result<Matchmaker['join']>;
  'match:leave': { left: boolean };
  'match:respond': Result<Matchmaker['respond']>;
}

export type AckError = { code: ErrorCode; message: string; details?: unknown; retryAfterSeconds?: number };
export type AckResult<T> = { ok: true; data: T } | { ok: false; error: AckError };
export type Ack<T> = (result: AckResult<T>) => void;

/** What a client sends for an event, before its schema parses it. */
export type ClientInput<E extends ClientEvent> = z.input<(typeof clientEventSchemas)[E]>;

export type ClientToServerEvents = {
  [E in ClientEvent]: (payload: ClientInput<E>, ack: Ack<ClientEventAcks[E]>) => void;
};

/** Pushed outside the services' list: a system notice, and a socket whose token expired. */
interface SocketOwnEvents {
  'system:notice': { message: string };
  'auth:expired': { reason: 'token_expired' };
  /** Admins only: the platform's live figures, every few seconds. */
  'admin:live': LiveSnapshot;
}

export type ServerEvent = RealtimeEvent | keyof SocketOwnEvents;
/** What the server pushes with an event. */
export type ServerPayload<E extends ServerEvent> = E extends RealtimeEvent
  ? RealtimeEvents[E]
  : E extends keyof SocketOwnEvents
    ? SocketOwnEvents[E]
    : never;

export type ServerToClientEvents = {
  [E in ServerEvent]: (payload: ServerPayload<E>) => void;
};

/** Every server event's payload by name: what docs/asyncapi.json documents (npm run docs:events). */
export type ServerEventPayloads = { [E in ServerEvent]: ServerPayload<E> };
