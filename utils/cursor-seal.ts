import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { derivedKeys } from './crypto.js';

/**
 * Opaque page cursors: a position (a score, an id) sealed with AES-256-GCM, so a client
 * can neither read a private value out of a cursor nor forge one that starts a page
 * somewhere it chose. A cursor is bound to its purpose (the page it came from). Cursors
 * sealed with an accepted secret (a rotation running) still open; new ones use the current.
 */
export class CursorSeal {
  private readonly keys: Buffer[];

  constructor(secret: string, acceptedSecrets: readonly string[] = []) {
    this.keys = derivedKeys([secret, ...acceptedSecrets], 'devtinder-cursor', 'page cursors v1');
  }

  seal(purpose: string, position: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, iv);
    cipher.setAAD(Buffer.from(purpose));
    const data = Buffer.concat([cipher.update(JSON.stringify(position), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url');
  }

  /** The sealed position, or undefined for anything not sealed here for this purpose. */
  open(purpose: string, cursor: string): unknown {
    let raw: Buffer;
    try {
      raw = Buffer.from(cursor, 'base64url');
    } catch {
      return undefined;
    }
    if (raw.length < 29) return undefined;
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAAD(Buffer.from(purpose));
        decipher.setAuthTag(raw.subarray(12, 28));
        return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as unknown;
      } catch {
        // Not sealed with this key (or not for this purpose): the next, or nothing.
      }
    }
    return undefined;
  }
}
