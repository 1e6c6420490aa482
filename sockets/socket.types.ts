import type { Server, Socket } from 'socket.io';
import type { AccessClaims } from '../utils/jwt.js';
import type { ClientToServerEvents, ServerToClientEvents } from './socket.events.js';

export type { Ack, AckError, AckResult, ClientToServerEvents, ServerToClientEvents } from './socket.events.js';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface InterServerEvents {}

export interface SocketData {
  user: AccessClaims;
  /** Events of this socket refused by the account's event budget, in the window that began at `window`. */
  refused?: { window: number; count: number };
}

export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
