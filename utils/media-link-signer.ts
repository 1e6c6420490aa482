import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived links to private media objects: `<base>/media/s/<key>?e=<expiry>&s=<mac>`.
 * A link names one object and when it stops working; only the server can make one. The
 * expiry is rounded to a window, so everyone asking within a window gets the same link
 * (and caches keep working), and every link works between half the lifetime and all of it.
 */
export class MediaLinkSigner {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly baseUrl: string,
    readonly ttlSeconds: number,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'devtinder-media', 'media links v1', 32));
  }

  /** The link to `key`, good for at least half the lifetime from `now`. */
  link(key: string, now = Date.now()): string {
    const half = Math.max(1, Math.floor(this.ttlSeconds / 2));
    const expiry = (Math.floor(now / 1000 / half) + 2) * half;
    return this.linkUntil(key, expiry);
  }

  /** The link to `key` that stops working at `expiry` (seconds since the epoch). */
  linkUntil(key: string, expiry: number): string {
    return `${this.baseUrl}/media/s/${key}?e=${expiry}&s=${this.mac(key, expiry)}`;
  }

  check(key: string, expiry: number, mac: string, now = Date.now()): 'ok' | 'expired' | 'invalid' {
    const expected = Buffer.from(this.mac(key, expiry));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return expiry * 1000 > now ? 'ok' : 'expired';
  }

  private mac(key: string, expiry: number): string {
    return createHmac('sha256', this.key).update(`${key}\n${expiry}`).digest('base64url').slice(0, 32);
  }
}
