import { expect } from 'chai';
import { CursorSeal } from '../../utils/cursor-seal.js';
import { MediaLinkSigner } from '../../utils/media-link-signer.js';

describe('sealed cursors', () => {
  const seal = new CursorSeal('a-secret-long-enough-for-the-test-0123456789');

  it('round-trip for their purpose only, and say nothing of what they hold', () => {
    const cursor = seal.seal('discover', { s: 812, id: 'a'.repeat(24) });
    expect(cursor).to.not.match(/812|aaaa/);
    expect(seal.open('discover', cursor)).to.deep.equal({ s: 812, id: 'a'.repeat(24) });
    expect(seal.open('search', cursor), 'another page').to.equal(undefined);
    expect(new CursorSeal('another-secret-long-enough-0123456789abc').open('discover', cursor)).to.equal(undefined);
  });

  it('refuse anything altered or made up', () => {
    const cursor = seal.seal('discover', { s: 1, id: 'b'.repeat(24) });
    const flipped = Buffer.from(cursor, 'base64url');
    flipped[flipped.length - 1]! ^= 1;
    for (const bad of [flipped.toString('base64url'), 'nope', '', Buffer.from('999:x').toString('base64url')]) {
      expect(seal.open('discover', bad), bad).to.equal(undefined);
    }
  });
});

describe('media link signer', () => {
  const signer = new MediaLinkSigner('a-secret-long-enough-for-the-test-0123456789', 'https://api.test', 900);
  const parse = (link: string) => {
    const url = new URL(link);
    return { key: url.pathname.slice('/media/s/'.length), e: Number(url.searchParams.get('e')), s: url.searchParams.get('s')! };
  };

  it('gives everyone the same link within a window, good for half to all of its life', () => {
    const t = Date.UTC(2026, 11, 2, 12, 0, 10);
    const a = parse(signer.link('private/posts/x/img-0/full.webp', t));
    const b = parse(signer.link('private/posts/x/img-0/full.webp', t + 100_000));
    expect(a).to.deep.equal(b);
    expect(a.e * 1000 - t).to.be.within(450_000, 900_000);
    expect(signer.check(a.key, a.e, a.s, undefined, t)).to.equal('ok');
    expect(signer.check(a.key, a.e, a.s, undefined, a.e * 1000 + 1)).to.equal('expired');
  });

  it('names one object and one expiry: neither can be changed', () => {
    const a = parse(signer.link('private/posts/x/img-0/full.webp'));
    expect(signer.check('private/posts/x/src/0.jpg', a.e, a.s)).to.equal('invalid');
    expect(signer.check(a.key, a.e + 3600, a.s)).to.equal('invalid');
    expect(signer.check(a.key, a.e, 'A'.repeat(32))).to.equal('invalid');
  });
});
