import type { Socket } from 'socket.io-client';
import type { AckError } from '../../sockets/socket.events.js';
import type { ClientEvent, ClientEventAcks, ClientInput, ServerEvent, ServerPayload } from '../../sockets/socket.events.js';
import { clientEventSchemas } from '../../sockets/socket.events.js';
import { ackProblem } from './socket-contract.js';
import { connectClient, startServer, type RunningServer, type TestSocket } from './socket-server.js';
import type { SignedUp } from './users.js';

/** A value as a client receives it: through JSON, so dates are strings. */
export type OnTheWire<T> = T extends Date
  ? string
  : T extends (infer I)[]
    ? OnTheWire<I>[]
    : T extends object
      ? { [K in keyof T]: OnTheWire<T[K]> }
      : T;

/** An ack as tests read it: `data` when ok, `error` when not (tests assert `ok` first). */
export interface Ack<T> {
  ok: boolean;
  data: T;
  error?: AckError;
}
/** A server event's payload as the client receives it. */
export type Pushed<E extends ServerEvent> = OnTheWire<ServerPayload<E>>;

// The helpers below speak Socket.IO untyped inside; their signatures carry the types.
const untyped = (socket: TestSocket) => socket as unknown as Socket;
/** The socket untyped, for what no typed event allows (an event without an ack, on purpose). */
export const rawSocket = untyped;

/** Emits with an ack and resolves with what the server answered, typed by the event. */
export function emitAck<E extends ClientEvent>(
  socket: TestSocket,
  event: E,
  payload: ClientInput<E>,
  timeoutMs = 5000,
): Promise<Ack<OnTheWire<ClientEventAcks[E]>>> {
  return checkedAck(event, untyped(socket).timeout(timeoutMs).emitWithAck(event, payload)) as Promise<
    Ack<OnTheWire<ClientEventAcks[E]>>
  >;
}

/** An ack the AsyncAPI document does not describe fails the emit. */
async function checkedAck(event: string, sent: Promise<unknown>): Promise<unknown> {
  const ack = await sent;
  const problem = ackProblem(event, ack);
  if (problem) throw new Error(problem);
  return ack;
}

/** For hostile payloads: sends what the typed events would refuse to compile. */
export function emitUntyped(socket: TestSocket, event: string, payload: unknown, timeoutMs = 5000): Promise<Ack<unknown>> {
  const sent = untyped(socket).timeout(timeoutMs).emitWithAck(event, payload);
  // An event no handler knows gets no ack at all; any other answers as documented.
  return (Object.hasOwn(clientEventSchemas, event) ? checkedAck(event, sent) : sent) as Promise<Ack<unknown>>;
}

/** Collects every payload of `event` a socket receives from now on. */
export function collect<E extends ServerEvent>(socket: TestSocket, event: E): Pushed<E>[] {
  const seen: Pushed<E>[] = [];
  const name: string = event;
  untyped(socket).on(name, (payload: Pushed<E>) => seen.push(payload));
  return seen;
}

/** Resolves with the next payload of `event` that passes `match`. */
export function nextEvent<E extends ServerEvent>(
  socket: TestSocket,
  event: E,
  match: (p: Pushed<E>) => boolean = () => true,
  timeoutMs = 4000,
): Promise<Pushed<E>> {
  const name: string = event;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    const handler = (payload: Pushed<E>) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      untyped(socket).off(name, handler);
      resolve(payload);
    };
    untyped(socket).on(name, handler);
  });
}

/** Sockets opened by a test, closed together afterwards. */
export class Devices {
  private readonly open: TestSocket[] = [];
  constructor(readonly server: () => RunningServer) {}

  async connect(u: SignedUp): Promise<TestSocket> {
    const socket = await connectClient(this.server().url, { auth: { token: u.accessToken } });
    this.open.push(socket);
    return socket;
  }

  closeAll(): void {
    for (const s of this.open.splice(0)) s.close();
  }
}

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
