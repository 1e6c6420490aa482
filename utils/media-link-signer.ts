import { createHmac } from 'node:crypto';
import { derivedKeys, safeEqual } from './crypto.js';

/**
 * Short-lived links to private media objects: `<base>/media/s/<key>?e=<expiry>&s=<mac>`.
 * A link names one object and when it stops working; only the server can make one. The
 * expiry is rounded to a window, so everyone asking within a window gets the same link
 * (and caches keep working), and every link works between half the lifetime and all of it.
 * Links signed with an accepted secret (a rotation running) work until they expire.
 */
export class MediaLinkSigner {
  private readonly keys: Buffer[];

  constructor(
    secret: string,
    private readonly baseUrl: string,
    readonly ttlSeconds: number,
    acceptedSecrets: readonly string[] = [],
  ) {
    this.keys = derivedKeys([secret, ...acceptedSecrets], 'devtinder-media', 'media links v1');
  }

  /** The link to `key`, good for at least half the lifetime from `now`. */
  link(key: string, now = Date.now()): string {
    return this.linkUntil(key, this.windowExpiry(now));
  }

  /**
   * A link for `viewer`: the viewer's id is signed into it, and whoever serves it checks that
   * this viewer may still see the object (a chat member still in the chat). Like any signed
   * link it opens for whoever holds it, within that.
   */
  linkFor(key: string, viewer: string, now = Date.now()): string {
    return this.linkUntil(key, this.windowExpiry(now), viewer);
  }

  /** The link to `key` that stops working at `expiry` (seconds since the epoch). */
  linkUntil(key: string, expiry: number, viewer?: string): string {
    const bound = viewer ? `&v=${viewer}` : '';
    return `${this.baseUrl}/media/s/${key}?e=${expiry}${bound}&s=${this.mac(this.keys[0]!, key, expiry, viewer)}`;
  }

  check(key: string, expiry: number, mac: string, viewer?: string, now = Date.now()): 'ok' | 'expired' | 'invalid' {
    if (!this.keys.some((signingKey) => safeEqual(mac, this.mac(signingKey, key, expiry, viewer)))) return 'invalid';
    return expiry * 1000 > now ? 'ok' : 'expired';
  }

  private windowExpiry(now: number): number {
    const half = Math.max(1, Math.floor(this.ttlSeconds / 2));
    return (Math.floor(now / 1000 / half) + 2) * half;
  }

  private mac(signingKey: Buffer, key: string, expiry: number, viewer?: string): string {
    const signed = viewer ? `${key}\n${expiry}\n${viewer}` : `${key}\n${expiry}`;
    return createHmac('sha256', signingKey).update(signed).digest('base64url').slice(0, 32);
  }
}
