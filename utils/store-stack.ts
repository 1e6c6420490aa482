/** A store that can be closed for good (its Redis connection closed). */
export interface Closable {
  open(): boolean;
}

/**
 * The stores a service was given, latest first: an app built on a Redis connection that was
 * closed since (a test's, a stopped one's) hands over to the one before it, down to the
 * in-memory one it starts with.
 */
export class StoreStack<S extends Closable> {
  private readonly stores: S[];

  constructor(first: S) {
    this.stores = [first];
  }

  use(store: S): void {
    this.stores.push(store);
  }

  current(): S {
    while (!this.stores.at(-1)!.open()) this.stores.pop();
    return this.stores.at(-1)!;
  }
}
