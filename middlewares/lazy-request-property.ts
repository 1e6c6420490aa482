import type { Express, Request } from 'express';

/**
 * Gives every request of `app` a property worked out the first time something reads it and
 * kept for the rest of the request (assigning it replaces the value): for what most
 * requests never use, so that they do not pay for it.
 */
export function lazyRequestProperty<K extends keyof Request & string>(
  app: Express,
  name: K,
  make: (req: Request) => Request[K],
): void {
  const slot = Symbol(name);
  type WithSlot = Request & { [slot]?: Request[K] };
  Object.defineProperty(app.request, name, {
    configurable: true,
    get(this: WithSlot) {
      return (this[slot] ??= make(this));
    },
    set(this: WithSlot, value: Request[K]) {
      this[slot] = value;
    },
  });
}
