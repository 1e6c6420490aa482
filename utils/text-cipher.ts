import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface EncryptedText {
  keyId: string;
  iv: string;
  tag: string;
  data: string;
}

/**
 * AES-256-GCM for text at rest. Every record names its key, so a new key can take over
 * for writing while older records still decrypt with theirs.
 */
export class TextCipher {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    private readonly currentKeyId: string,
  ) {
    if (!keys.has(currentKeyId)) throw new Error(`no key with id ${currentKeyId}`);
    for (const [id, key] of keys) if (key.length !== 32) throw new Error(`key ${id} is not 32 bytes`);
  }

  encrypt(text: string): EncryptedText {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    const data = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return {
      keyId: this.currentKeyId,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  decrypt(record: EncryptedText): string {
    const key = this.keys.get(record.keyId);
    if (!key) throw new Error(`no key with id ${record.keyId}`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(record.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(record.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(record.data, 'base64')), decipher.final()]).toString('utf8');
  }
}

/** "id:base64key,id2:base64key" as in CHAT_KEYS. */
export function parseKeys(spec: string): Map<string, Buffer> {
  return new Map(
    spec
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [id, key] = part.split(':');
        return [id!, Buffer.from(key ?? '', 'base64')] as const;
      }),
  );
}
