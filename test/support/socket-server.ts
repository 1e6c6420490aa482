import type { IncomingMessage, Server } from 'node:http';
import { createAppServer } from '../../http-server.js';
import type { AddressInfo } from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import { config } from '../../config/index.js';
import { buildLiveParts, socketDeps, type LiveParts } from '../../parts.js';
import { closeRedis, connectRedis, type RedisClient } from '../../services/redis.service.js';
import { closeSocketServer, createSocketServer, type SocketDeps } from '../../sockets/index.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../sockets/socket.events.js';
import type { AppServer } from '../../sockets/socket.types.js';
import { freshIp, testApp } from './app.js';
import { checkPushed } from './socket-contract.js';

export interface RunningServer {
  url: string;
  io: AppServer;
  /** Its live parts (presence, matchmaker, budgets): what the server holds, for assertions. */
  parts: LiveParts;
  close: () => Promise<void>;
}

// Each test client comes from an address of its own, as people do: the per-address budget of
// socket connections is one machine's, not a whole test run's (the limits tests use servers of
// their own, where every client shares 127.0.0.1).
const CLIENT_IP_HEADER = 'x-test-client-ip';
const testClientAddress = (req: IncomingMessage) =>
  (req.headers[CLIENT_IP_HEADER] as string | undefined) ?? req.socket.remoteAddress ?? 'unknown';

/** A real HTTP + Socket.IO server on a free port, with its own Redis connection when configured. */
export async function startServer(overrides: Partial<SocketDeps> = {}): Promise<RunningServer> {
  const redis: RedisClient | undefined = config.redisUrl ? await connectRedis(config.redisUrl) : undefined;
  const http: Server = createAppServer(await testApp());
  const parts = buildLiveParts(config, redis);
  const io = await createSocketServer(http, {
    ...socketDeps(config, redis, parts),
    clientAddress: testClientAddress,
    ...overrides,
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    io,
    parts,
    close: async () => {
      await closeSocketServer(io, config.shutdownTimeoutMs);
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await closeRedis(redis);
    },
  };
}

type ClientOptions = Parameters<typeof connect>[1];

/** A client typed by the server's events: an event listened to or sent with the wrong shape does not compile. */
export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Connects a client and resolves once connected, or rejects with the connect_error. */
export function connectClient(url: string, options: ClientOptions = {}): Promise<TestSocket> {
  const socket: TestSocket = connect(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { [CLIENT_IP_HEADER]: freshIp() },
    ...options,
  });
  // Everything the server pushes is checked against the AsyncAPI document.
  socket.onAny((event: string, payload: unknown) => checkPushed(event, payload));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}
