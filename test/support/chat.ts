import type { Socket } from 'socket.io-client';
import { connectClient, startServer, type RunningServer } from './socket-server.js';
import type { SignedUp } from './users.js';

export interface Ack<T = Record<string, unknown>> {
  ok: boolean;
  data: T;
  error?: { code: string; message: string };
}

/** Emits with an ack and resolves with what the server answered. */
export function emitAck<T = Record<string, unknown>>(
  socket: Socket,
  event: string,
  payload: unknown,
  timeoutMs = 5000,
): Promise<Ack<T>> {
  return socket.timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack<T>>;
}

/** Collects every payload of `event` a socket receives from now on. */
export function collect<T = Record<string, unknown>>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

/** Resolves with the next payload of `event` that passes `match`. */
export function nextEvent<T = Record<string, unknown>>(
  socket: Socket,
  event: string,
  match: (p: T) => boolean = () => true,
  timeoutMs = 4000,
) {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    const handler = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, handler);
      resolve(payload);
    };
    socket.on(event, handler);
  });
}

/** Sockets opened by a test, closed together afterwards. */
export class Devices {
  private readonly open: Socket[] = [];
  constructor(readonly server: () => RunningServer) {}

  async connect(u: SignedUp): Promise<Socket> {
    const socket = await connectClient(this.server().url, { auth: { token: u.accessToken } });
    this.open.push(socket);
    return socket;
  }

  closeAll(): void {
    for (const s of this.open.splice(0)) s.close();
  }
}

export const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;
export const clientId = () => `cm${Date.now().toString(36)}${(++n).toString(36)}x`;

/**
 * For a describe block: one real HTTP + Socket.IO server for its tests, and the devices
 * each test opens, closed after it.
 */
export function useSocketServer(): Devices {
  let server: RunningServer;
  const devices = new Devices(() => server);
  before(async () => {
    server = await startServer();
  });
  afterEach(() => devices.closeAll());
  after(() => server.close());
  return devices;
}

export { eventually } from './eventually.js';
