import type { IncomingMessage } from 'node:http';
import type { AppServer } from './socket.types.js';

/**
 * Caps the connections one client address holds open in this process, signed in or not. The
 * transport is accepted before anyone signs in, and one that never does lives until the
 * connect timeout: without a cap, one machine could hold tens of thousands of them (each
 * some kilobytes) by opening them faster than they time out. A handshake past the cap is
 * refused before its transport opens (nginx's limit_conn does the same in front).
 */
export class ConnectionsByAddress {
  private readonly open = new Map<string, number>();

  constructor(
    private readonly cap: number,
    private readonly addressOf: (req: IncomingMessage) => string,
  ) {}

  /** Whether this handshake's address is under its cap. */
  admits(req: IncomingMessage): boolean {
    return (this.open.get(this.addressOf(req)) ?? 0) < this.cap;
  }

  /** Counts every transport the server opens, until it closes. */
  track(io: AppServer): void {
    io.engine.on('connection', (transport: { request: IncomingMessage; once(event: 'close', fn: () => void): void }) => {
      const address = this.addressOf(transport.request);
      this.open.set(address, (this.open.get(address) ?? 0) + 1);
      transport.once('close', () => {
        const left = (this.open.get(address) ?? 1) - 1;
        if (left > 0) this.open.set(address, left);
        else this.open.delete(address);
      });
    });
  }
}
