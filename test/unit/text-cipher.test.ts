import { expect } from 'chai';
import { TextCipher } from '../../utils/text-cipher.js';

describe('message encryption at rest', () => {
  const k1 = Buffer.alloc(32, 1);
  const k2 = Buffer.alloc(32, 2);

  it('round-trips, never repeats a ciphertext, and names its key', () => {
    const cipher = new TextCipher(new Map([['k1', k1]]), 'k1');
    const a = cipher.encrypt('hello ✓');
    const b = cipher.encrypt('hello ✓');
    expect(a.data).to.not.equal(b.data);
    expect(a.keyId).to.equal('k1');
    expect(cipher.decrypt(a)).to.equal('hello ✓');
  });

  it('keeps reading old records after the key rotates', () => {
    const before = new TextCipher(new Map([['k1', k1]]), 'k1').encrypt('old');
    const after = new TextCipher(
      new Map([
        ['k1', k1],
        ['k2', k2],
      ]),
      'k2',
    );
    expect(after.decrypt(before)).to.equal('old');
    expect(after.encrypt('new').keyId).to.equal('k2');
  });

  it('refuses tampered records (GCM authentication)', () => {
    const cipher = new TextCipher(new Map([['k1', k1]]), 'k1');
    const record = cipher.encrypt('pay 10');
    const data = Buffer.from(record.data, 'base64');
    data[0]! ^= 1;
    expect(() => cipher.decrypt({ ...record, data: data.toString('base64') })).to.throw();
  });
});
