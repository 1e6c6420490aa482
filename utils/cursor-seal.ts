import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Opaque page cursors: a position (a score, an id) sealed with AES-256-GCM, so a client
 * can neither read a private value out of a cursor nor forge one that starts a page
 * somewhere it chose. A cursor is bound to its purpose (the page it came from).
 */
export class CursorSeal {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'devtinder-cursor', 'page cursors v1', 32));
  }

  seal(purpose: string, position: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const data = Buffer.concat([cipher.update(JSON.stringify(position), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url');
  }

  /** The sealed position, or undefined for anything not sealed here for this purpose. */
  open(purpose: string, cursor: string): unknown {
    try {
      const raw = Buffer.from(cursor, 'base64url');
      if (raw.length < 29) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(raw.subarray(12, 28));
      return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
}
