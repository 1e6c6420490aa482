import type { IncomingMessage } from 'node:http';
import type { AppServer } from './socket.types.js';

type Transport = {
  request: IncomingMessage;
  on(event: 'close', fn: (this: Transport) => void): void;
  off(event: 'close', fn: (this: Transport) => void): void;
};

/**
 * Caps the connections one client address holds open in this process before they sign in.
 * The transport is accepted first, and one that never signs in lives until the connect
 * timeout: without a cap, one machine could hold tens of thousands of them (each some
 * kilobytes) by opening them faster than they time out. A handshake past the cap is refused
 * before its transport opens. A transport that signs in leaves the count (signed-in sockets
 * are capped per account), so people sharing an address (an office, a carrier's NAT) are not
 * held back by each other's open apps.
 */
export class UnsignedConnectionsByAddress {
  private readonly open = new Map<string, number>();
  /** The address each counted transport is counted under, until it signs in or closes. */
  private readonly counted = new WeakMap<object, string>();
  /**
   * One close listener for every transport (the emitter is `this`), taken off when it signs
   * in: no closure or once-wrapper kept per connection for as long as it lives (S6's memory).
   */
  private readonly releaseOnClose = ((tracker: UnsignedConnectionsByAddress) =>
    function (this: Transport) {
      tracker.release(this);
    })(this);

  constructor(
    private readonly cap: number,
    private readonly addressOf: (req: IncomingMessage) => string,
  ) {}

  /** Whether this handshake's address is under its cap. */
  admits(req: IncomingMessage): boolean {
    return (this.open.get(this.addressOf(req)) ?? 0) < this.cap;
  }

  /** Counts every transport the server opens, until it signs in or closes. */
  track(io: AppServer): void {
    io.engine.on('connection', (transport: Transport) => {
      const address = this.addressOf(transport.request);
      this.open.set(address, (this.open.get(address) ?? 0) + 1);
      this.counted.set(transport, address);
      transport.on('close', this.releaseOnClose);
    });
  }

  /** A transport that signed in (or closed) gives its place back; once. */
  release(transport: Transport): void {
    const address = this.counted.get(transport);
    if (address === undefined) return;
    this.counted.delete(transport);
    transport.off('close', this.releaseOnClose);
    const left = (this.open.get(address) ?? 1) - 1;
    if (left > 0) this.open.set(address, left);
    else this.open.delete(address);
  }
}
