/**
 * Domain events: services say what happened, and whoever holds the live parts (the socket
 * server's matchmaker) reacts, without services knowing them. In-process; an emit waits
 * for every handler, so a request answers after its effects.
 */
export interface DomainEvents {
  /** A block or a report between two people: nothing live may go on between them. */
  'pair.separated': { a: string; b: string };
  /** The last block between two people was lifted. */
  'pair.reunited': { a: string; b: string };
  /**
   * Every session of an account ended (a ban, a suspension, a deletion, signing out
   * everywhere): nothing of it stays live, not even for the reconnect grace.
   */
  'sessions.ended': { userId: string };
}

type Handler<E extends keyof DomainEvents> = (payload: DomainEvents[E]) => Promise<unknown> | unknown;

const handlers = new Map<keyof DomainEvents, Set<Handler<keyof DomainEvents>>>();

export function onDomainEvent<E extends keyof DomainEvents>(event: E, handler: Handler<E>): () => void {
  const set = handlers.get(event) ?? new Set();
  set.add(handler as Handler<keyof DomainEvents>);
  handlers.set(event, set);
  return () => void set.delete(handler as Handler<keyof DomainEvents>);
}

export async function emitDomainEvent<E extends keyof DomainEvents>(event: E, payload: DomainEvents[E]): Promise<void> {
  await Promise.all([...(handlers.get(event) ?? [])].map((h) => h(payload)));
}
