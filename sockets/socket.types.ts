import type { Server, Socket } from 'socket.io';
import type { RealtimeEvents } from '../services/realtime.service.js';
import type { AccessClaims } from '../utils/jwt.js';

export type AckError = { code: string; message: string; retryAfterSeconds?: number };
export type AckResult<T> = { ok: true; data: T } | { ok: false; error: AckError };
export type Ack<T> = (result: AckResult<T>) => void;

export interface ClientToServerEvents {
  'system:ping': (payload: unknown, ack: Ack<{ pong: true; userId: string; serverTime: string }>) => void;
  'auth:refresh': (payload: { token: string }, ack: Ack<{ expiresAt: string }>) => void;
}

export interface ServerToClientEvents {
  'system:notice': (payload: { message: string }) => void;
  'auth:expired': (payload: { reason: 'token_expired' }) => void;
  'connection:request': (payload: RealtimeEvents['connection:request']) => void;
  'connection:accepted': (payload: RealtimeEvents['connection:accepted']) => void;
  // Chat and presence (payloads: the REST schemas Message, etc.): chat:message, chat:edited,
  // chat:deleted, chat:typing, chat:read, chat:reaction, conversation:updated, presence:changed.
  // Calls: call:incoming, call:accepted, call:ended, and rtc:offer/answer/ice relayed from the peer.
  [event: `chat:${string}` | `conversation:${string}` | `presence:${string}` | `call:${string}` | `rtc:${string}`]: (
    payload: unknown,
  ) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InterServerEvents {}

export interface SocketData {
  user: AccessClaims;
}

export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
