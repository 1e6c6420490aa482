import { openSocket } from '../socket';

// Each handler names its own payload; Socket.IO types them as any.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handlers = Record<string, (payload: any) => void>;

/** Subscribes to server events on the app's socket; returns the unsubscribe, for a useEffect to return. */
export function listen(handlers: Handlers): () => void {
  const socket = openSocket();
  for (const [event, handler] of Object.entries(handlers)) socket.on(event, handler);
  return () => {
    for (const [event, handler] of Object.entries(handlers)) socket.off(event, handler);
  };
}
