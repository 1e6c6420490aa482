import { expect } from 'chai';
import { CursorSeal } from '../../utils/cursor-seal.js';
import { AccessTokens } from '../../utils/jwt.js';
import { MediaLinkSigner } from '../../utils/media-link-signer.js';
import { RefreshTokenCodec } from '../../utils/refresh-token-codec.js';

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

describe('a secret rotation (the replaced secret listed as accepted)', () => {
  const OLD = 'the-old-secret-long-enough-0123456789abcdef';
  const NEW = 'the-new-secret-long-enough-0123456789abcdef';
  const STRANGER = 'nobody-listed-this-secret-0123456789abcdef';
  const jwtSettings = { issuer: 'devtinder-api', audience: 'devtinder-clients', ttlSeconds: 600 };

  it('access tokens: the old ones still verify, new ones are signed with the new secret only', () => {
    const before = new AccessTokens({ ...jwtSettings, secret: OLD });
    const rotating = new AccessTokens({ ...jwtSettings, secret: NEW, acceptedSecrets: [OLD] });
    const after = new AccessTokens({ ...jwtSettings, secret: NEW });
    const claims = { sub: 'a'.repeat(24), role: 'user' as const, sid: 'b'.repeat(24) };
    const old = before.sign(claims);
    expect(rotating.verify(old)).to.include(claims);
    expect(after.verify(old), 'once the old secret is dropped').to.equal(null);
    const fresh = rotating.sign(claims);
    expect(after.verify(fresh)).to.include(claims);
    expect(before.verify(fresh), 'not signed with the old one').to.equal(null);
    expect(rotating.verify(new AccessTokens({ ...jwtSettings, secret: STRANGER }).sign(claims))).to.equal(null);
    // An expired token signed with the old secret is refused once that key has checked it.
    const expired = new AccessTokens({ ...jwtSettings, secret: OLD, ttlSeconds: -10 }).sign(claims);
    expect(rotating.verify(expired)).to.equal(null);
  });

  it('refresh tokens, cursors and media links: the old ones still open, new ones only under the new secret', () => {
    const claims = { sessionId: 'c'.repeat(24), userId: 'd'.repeat(24), generation: 3, role: 'user' as const, checkedAt: 99 };
    const oldRefresh = new RefreshTokenCodec(OLD).issue(claims);
    const rotatingRefresh = new RefreshTokenCodec(NEW, [OLD]);
    expect(rotatingRefresh.open(oldRefresh)).to.deep.equal(claims);
    expect(new RefreshTokenCodec(NEW).open(oldRefresh)).to.equal(undefined);
    expect(new RefreshTokenCodec(NEW).open(rotatingRefresh.issue(claims))).to.deep.equal(claims);
    expect(rotatingRefresh.open(new RefreshTokenCodec(STRANGER).issue(claims))).to.equal(undefined);

    const oldCursor = new CursorSeal(OLD).seal('feed', { id: 7 });
    const rotatingSeal = new CursorSeal(NEW, [OLD]);
    expect(rotatingSeal.open('feed', oldCursor)).to.deep.equal({ id: 7 });
    expect(rotatingSeal.open('search', oldCursor), 'still bound to its purpose').to.equal(undefined);
    expect(new CursorSeal(NEW).open('feed', oldCursor)).to.equal(undefined);
    expect(new CursorSeal(NEW).open('feed', rotatingSeal.seal('feed', { id: 8 }))).to.deep.equal({ id: 8 });

    const parse = (link: string) => {
      const url = new URL(link);
      return [url.pathname.slice('/media/s/'.length), Number(url.searchParams.get('e')), url.searchParams.get('s')!] as const;
    };
    const oldLink = parse(new MediaLinkSigner(OLD, 'https://api.test', 900).link('private/x.webp'));
    const rotatingLinks = new MediaLinkSigner(NEW, 'https://api.test', 900, [OLD]);
    expect(rotatingLinks.check(...oldLink)).to.equal('ok');
    expect(new MediaLinkSigner(NEW, 'https://api.test', 900).check(...oldLink)).to.equal('invalid');
    expect(new MediaLinkSigner(NEW, 'https://api.test', 900).check(...parse(rotatingLinks.link('private/x.webp')))).to.equal(
      'ok',
    );
    expect(rotatingLinks.check(...parse(new MediaLinkSigner(STRANGER, 'https://api.test', 900).link('private/x.webp')))).to.equal(
      'invalid',
    );
  });
});

describe('keys derived from a secret (known answers)', () => {
  // Made by the code before rotation existed: a change to the derivation would refuse every
  // token, cursor and link in flight at the deploy that brings it.
  const SECRET = 'a-fixed-secret-for-known-answers-0123456789';

  it('open what the earlier code made with the same secret', () => {
    expect(new MediaLinkSigner(SECRET, 'https://api.test', 900).linkUntil('private/x.webp', 1_800_000_000)).to.equal(
      'https://api.test/media/s/private/x.webp?e=1800000000&s=_PeYcXlVJkDzc3_GueSX39ozrvKLbdms',
    );
    expect(
      new RefreshTokenCodec(SECRET).open(
        'cccccccccccccccccccccccc.dddddddddddddddddddddddd.3.SC1-hfMvdzjK0rBH0EbNxkJZXiZjNKcW.S8qMxXKJst5K0497iNM9CQ',
      ),
    ).to.deep.equal({ sessionId: 'c'.repeat(24), userId: 'd'.repeat(24), generation: 3 });
    expect(new CursorSeal(SECRET).open('feed', 'sE8szsqtU4EZX-U9v5Zmc_ETOITe9No8XZmqeNIWYQsrciuR')).to.deep.equal({ id: 7 });
  });
});
