import { io, type Socket } from 'socket.io-client';
import { lostSession, refreshSession } from './api';

/**
 * The app's one socket, authenticated by the same HTTP-only cookie as the API. An access
 * cookie that expired (connect_error INVALID_TOKEN, or auth:expired from the server) is
 * renewed over HTTP and the socket reconnects with the new one; Socket.IO's own
 * reconnection covers network drops, and each page catches up on `connect`.
 */
let socket: Socket | null = null;

// Refused reconnects back off from 2 s to a minute, with jitter, so clients coming back after
// an outage do not arrive together; a connect resets it.
let retries = 0;

/** Reconnects later, unless this socket was closed or replaced meanwhile. */
function retryLater(current: Socket, action: () => void): void {
  const delay = Math.min(60_000, 2000 * 2 ** retries++) * (0.5 + Math.random() / 2);
  setTimeout(() => {
    if (socket === current && !current.connected) action();
  }, delay);
}

async function renewAndReconnect(current: Socket): Promise<void> {
  const renewal = await refreshSession();
  if (renewal === 'lost') return lostSession(); // The session is gone: the app signs the user out.
  if (socket !== current || current.connected) return;
  // The first renewal reconnects at once; refused again after it (or no answer), wait, longer each time.
  if (renewal === 'renewed' && retries === 0) {
    retries = 1;
    current.connect();
  } else retryLater(current, () => void renewAndReconnect(current));
}

export function openSocket(): Socket {
  if (socket) return socket;
  const created = io({ path: '/socket.io', withCredentials: true, transports: ['websocket', 'polling'] });
  created.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    if (err.data?.code === 'INVALID_TOKEN' || err.data?.code === 'UNAUTHORIZED') void renewAndReconnect(created);
    // Any other refusal (too many sockets, too many connects) stops Socket.IO's own retries: try again later.
    else if (!created.active) retryLater(created, () => created.connect());
  });
  created.on('connect', () => void (retries = 0));
  created.on('auth:expired', () => void renewAndReconnect(created));
  // The server ended this socket (its session ended, or its token expired): renew or sign out.
  created.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') void renewAndReconnect(created);
  });
  socket = created;
  return created;
}

export function closeSocket(): void {
  socket?.disconnect();
  socket = null;
}

/** Emits with an ack and a deadline; rejects with the server's error code. */
export function emitAck<T>(event: string, payload: unknown, timeoutMs = 10_000): Promise<T> {
  const s = openSocket();
  return new Promise((resolve, reject) => {
    s.timeout(timeoutMs).emit(
      event,
      payload,
      (err: Error | null, reply: { ok: boolean; data?: T; error?: { code: string; message: string } }) => {
        if (err) return reject(new Error('The server did not answer in time'));
        if (!reply?.ok) return reject(Object.assign(new Error(reply?.error?.message ?? 'Refused'), { code: reply?.error?.code }));
        resolve(reply.data as T);
      },
    );
  });
}
