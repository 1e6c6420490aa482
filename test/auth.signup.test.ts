import { expect } from 'chai';
import { coarsePoint } from '../utils/geo.js';
import { User } from '../models/user.model.js';
import { api, freshIp } from './support/app.js';
import { expectDocumented } from './support/openapi.js';
import { cookiesOf, newSignup } from './support/users.js';

const SIGNUP = '/api/v1/auth/signup';
const post = async (body: unknown) =>
  (await api())
    .post(SIGNUP)
    .set('X-Forwarded-For', freshIp())
    .send(body as object);

describe('POST /auth/signup', () => {
  it('creates the account with the full profile, returns tokens and sets HTTP-only cookies', async () => {
    const input = newSignup({ email: 'Mixed.Case@Example.COM', location: { lat: 52.52, lng: 13.405 }, locationConsent: true });
    const res = await post(input);
    expect(res.status).to.equal(201);
    expectDocumented(res, 'post', SIGNUP);
    expect(res.body.user).to.include({
      email: 'mixed.case@example.com',
      username: input.username,
      role: 'user',
      plan: 'free',
      emailVerified: false,
    });
    expect(res.body.user.interests).to.deep.equal(['rust', 'hiking']);
    expect(res.body.user).to.not.have.any.keys('password', 'passwordHash');
    expect(res.body.accessToken).to.be.a('string');
    expect(res.body.refreshToken).to.be.a('string');

    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] as unknown as string[]);
    const access = setCookie.find((c) => c.startsWith('access_token='))!;
    const refresh = setCookie.find((c) => c.startsWith('refresh_token='))!;
    expect(access)
      .to.match(/HttpOnly/)
      .and.match(/SameSite=Lax/)
      .and.match(/Path=\//);
    expect(refresh)
      .to.match(/HttpOnly/)
      .and.match(/Path=\/api\/v1\/auth/);
    expect(cookiesOf(res)).to.have.length(2);

    const stored = await User.findById(res.body.user.id).select('+passwordHash').lean();
    expect(stored!.passwordHash).to.match(/^\$2[aby]\$04\$/);
    expect(stored!.passwordHash).to.not.include(input.password);
    expect(stored!.location).to.include(coarsePoint({ lat: 52.52, lng: 13.405 }));
    expect(stored!.dateOfBirth.toISOString()).to.equal('1995-12-10T00:00:00.000Z');
  });

  it('refuses role, plan, verification and id fields and stores nothing', async () => {
    for (const extra of [
      { role: 'admin' },
      { plan: 'premium' },
      { emailVerified: true },
      { verifiedBadge: true },
      { _id: '5f0000000000000000000000' },
      { id: 'x' },
    ]) {
      const input = newSignup(extra);
      const res = await post(input);
      expect(res.status, JSON.stringify(extra)).to.equal(400);
      expect(res.body.error.code).to.be.oneOf(['VALIDATION_FAILED', 'INVALID_INPUT_KEY']);
      expect(await User.countDocuments({ email: input.email })).to.equal(0);
    }
  });

  it('refuses operator objects in place of strings', async () => {
    for (const field of ['email', 'username', 'password', 'firstName']) {
      for (const op of [{ $gt: '' }, { $ne: null }]) {
        const input = newSignup({ [field]: op });
        const res = await post(input);
        expect(res.status).to.equal(400);
        expect(res.body.error.code).to.equal('INVALID_INPUT_KEY');
      }
      const nested = await post(newSignup({ [field]: { a: 1 } }));
      expect(nested.status).to.equal(400);
      expect(nested.body.error.code).to.equal('VALIDATION_FAILED');
    }
  });

  it('gives 409 with a code naming the field for a taken email (any case), username or phone', async () => {
    const first = newSignup();
    expect((await post(first)).status).to.equal(201);
    const cases: [Record<string, unknown>, string][] = [
      [{ email: first.email.toUpperCase() }, 'EMAIL_TAKEN'],
      [{ username: first.username.toUpperCase() }, 'USERNAME_TAKEN'],
      [{ phone: first.phone }, 'PHONE_TAKEN'],
    ];
    for (const [clash, code] of cases) {
      const res = await post(newSignup(clash));
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal(code);
      expectDocumented(res, 'post', SIGNUP);
    }
    expect(await User.countDocuments({ email: first.email })).to.equal(1);
  });

  it('takes an address typed in decomposed Unicode as the same address: stored once, signed in to either way', async () => {
    const composed = `jos\u00e9.${Date.now().toString(36)}@example.com`;
    const decomposed = composed.normalize('NFD');
    expect(decomposed).to.not.equal(composed);
    const first = newSignup({ email: decomposed });
    expect((await post(first)).status).to.equal(201);
    expect(await User.countDocuments({ email: composed })).to.equal(1);
    const again = await post(newSignup({ email: composed }));
    expect([again.status, again.body.error?.code]).to.deep.equal([409, 'EMAIL_TAKEN']);
    // Checked as stored: a bidi override (it would show as another address) or a character that composes
    // into punctuation (U+037E is ';' once composed) makes no address.
    const stamp = Date.now().toString(36);
    for (const bad of [
      `vic\u202etim.${stamp}@example.com`,
      `x.${stamp}@evil.com\u037evictim.com`,
      // Drawn as nothing: a Hangul filler, the grapheme joiner, an ideographic space.
      `victim\u3164.${stamp}@example.com`,
      `victim.${stamp}@example.com\u034f`,
      `vic\u3000tim.${stamp}@example.com`,
    ]) {
      const res = await post(newSignup({ email: bad }));
      expect([res.status, res.body.error?.code], bad).to.deep.equal([400, 'VALIDATION_FAILED']);
    }
    for (const identifier of [decomposed, composed.toUpperCase()]) {
      const res = await (await api()).post('/api/v1/auth/login').send({ identifier, password: first.password });
      expect(res.status, identifier).to.equal(200);
    }
  });

  it('stores one account when the same signup races', async () => {
    const input = newSignup();
    const results = await Promise.all([post(input), post(input), post(input)]);
    expect(results.filter((r) => r.status === 201)).to.have.length(1);
    expect(results.filter((r) => r.status === 409)).to.have.length(2);
    expect(await User.countDocuments({ email: input.email })).to.equal(1);
  });

  it('refuses passwords of 7 bytes and of 73 bytes, and counts bytes not characters', async () => {
    for (const password of ['1234567', 'a'.repeat(73), 'é'.repeat(37)]) {
      const input = newSignup({ password });
      const res = await post(input);
      expect(res.status).to.equal(400);
      expect(res.body.error.details[0].field).to.equal('password');
      expect(JSON.stringify(res.body)).to.not.include(password);
      expect(await User.countDocuments({ email: input.email })).to.equal(0);
    }
    expect((await post(newSignup({ password: 'a'.repeat(72) }))).status).to.equal(201);
    expect((await post(newSignup({ password: '12345678' }))).status).to.equal(201);
  });

  it('validates every profile field', async () => {
    const underage = new Date();
    underage.setUTCFullYear(underage.getUTCFullYear() - 18);
    underage.setUTCDate(underage.getUTCDate() + 1);
    const bad: [Record<string, unknown>, string][] = [
      [{ dateOfBirth: underage.toISOString().slice(0, 10) }, 'dateOfBirth'],
      [{ dateOfBirth: '1990-02-30' }, 'dateOfBirth'],
      [{ phone: '4155550123' }, 'phone'],
      [{ username: 'ab' }, 'username'],
      [{ username: 'bad name!' }, 'username'],
      [{ username: 'x'.repeat(31) }, 'username'],
      [{ gender: 'robot' }, 'gender'],
      [{ preference: 'business' }, 'preference'],
      [{ interests: [] }, 'interests'],
      [{ interests: Array.from({ length: 21 }, (_, i) => `tag${i}`) }, 'interests'],
      [{ interests: 'rust' }, 'interests'],
      [{ email: 'not-an-email' }, 'email'],
      [{ firstName: '<script>alert(1)</script>' }, 'firstName'],
      [{ firstName: '' }, 'firstName'],
      [{ location: { lat: 1, lng: 2 } }, 'location'],
      [{ location: { lat: 91, lng: 2 }, locationConsent: true }, 'location.lat'],
    ];
    for (const [override, field] of bad) {
      const input = newSignup(override);
      const res = await post(input);
      expect(res.status, JSON.stringify(override)).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
      expect(res.body.error.details.map((d: { field?: string }) => d.field)).to.include(field);
      expect(await User.countDocuments({ email: input.email })).to.equal(0);
    }
    const missing = newSignup();
    delete (missing as Record<string, unknown>).phone;
    expect((await post(missing)).status).to.equal(400);
  });

  it('keeps the birthday boundary: exactly 18 today is allowed', async () => {
    const today = new Date();
    const dob = `${today.getUTCFullYear() - 18}-${String(today.getUTCMonth() + 1).padStart(2, '0')}-${String(today.getUTCDate()).padStart(2, '0')}`;
    if (dob.endsWith('-02-29')) return; // leap-day birthdays have no "today" most years
    expect((await post(newSignup({ dateOfBirth: dob }))).status).to.equal(201);
  });

  it('stores names NFC-normalised without control characters', async () => {
    const res = await post(newSignup({ firstName: 'Zoe\u0301\u0007', lastName: '  Smith ' }));
    expect(res.status).to.equal(201);
    expect(res.body.user.firstName).to.equal('Zoé');
    expect(res.body.user.lastName).to.equal('Smith');
  });

  it('sends a verification email', async () => {
    const { waitForMail } = await import('./support/mail.js');
    const input = newSignup();
    await post(input);
    const mail = await waitForMail(input.email, /Confirm your email/);
    expect(mail.body.text).to.match(/http:\/\/app\.test\/verify-email\?token=[A-Za-z0-9_-]{40,}/);
    expect(mail.body.html).to.include('Ada');
  });

  it('escapes user values in the HTML mail and keeps them plain in the text part', async () => {
    const { waitForMail } = await import('./support/mail.js');
    const input = newSignup({ firstName: 'Tom & "Jerry"' });
    expect((await post(input)).status).to.equal(201);
    const mail = await waitForMail(input.email, /Confirm your email/);
    expect(mail.body.html).to.include('Tom &amp; &quot;Jerry&quot;');
    expect(mail.body.html).to.not.include('Tom & "Jerry"');
    expect(mail.body.text).to.include('Hi Tom & "Jerry",');
  });
});
