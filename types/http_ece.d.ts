// http_ece (used by web-push, and by the tests to decrypt what the push stand-in received) ships no types.
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';
  export function decrypt(
    content: Buffer,
    params: { version: 'aes128gcm'; privateKey: ECDH; authSecret: Buffer | string; dh?: Buffer | string },
  ): Buffer;
}
