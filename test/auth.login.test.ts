import { expect } from 'chai';
import { Session } from '../models/session.model.js';
import { api, freshIp } from './support/app.js';
import { expectDocumented } from './support/openapi.js';
import { signupUser } from './support/users.js';

const LOGIN = '/api/v1/auth/login';
const login = async (body: object, ip = freshIp()) => (await api()).post(LOGIN).set('X-Forwarded-For', ip).send(body);

describe('POST /auth/login', () => {
  it('signs in by email or by username, in any case, and opens a session', async () => {
    const u = await signupUser();
    for (const identifier of [u.input.email.toUpperCase(), u.input.username, u.input.username.toUpperCase()]) {
      const res = await login({ identifier, password: u.input.password });
      expect(res.status).to.equal(200);
      expectDocumented(res, 'post', LOGIN);
      expect(res.body.user.id).to.equal(u.id);
      expect(res.body.user).to.not.have.any.keys('passwordHash', 'password');
    }
    expect(await Session.countDocuments({ userId: u.id, revokedAt: null })).to.equal(4);
  });

  it('answers a wrong password and an unknown account with the same 401', async () => {
    const u = await signupUser();
    const ip = freshIp();
    const wrong = await login({ identifier: u.input.email, password: 'wrong password' }, ip);
    const unknown = await login({ identifier: 'nobody@example.com', password: 'wrong password' }, ip);
    expect(wrong.status).to.equal(401);
    expect(unknown.status).to.equal(401);
    expect(wrong.body).to.deep.equal(unknown.body);
    expect(wrong.body.error.code).to.equal('INVALID_CREDENTIALS');
    expectDocumented(wrong, 'post', LOGIN);
    expect(wrong.headers['set-cookie']).to.equal(undefined);
  });

  it('refuses operator objects and non-strings, and signs nobody in', async () => {
    const u = await signupUser();
    const attempts = [
      { identifier: { $gt: '' }, password: u.input.password },
      { identifier: u.input.email, password: { $ne: null } },
      { identifier: { $ne: null }, password: { $ne: null } },
    ];
    for (const body of attempts) {
      const res = await login(body);
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('INVALID_INPUT_KEY');
      expect(res.body).to.not.have.property('accessToken');
    }
    for (const body of [{ identifier: ['a'], password: 'x' }, { identifier: u.input.email, password: 12345678 }, {}]) {
      const res = await login(body);
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    }
    expect(await Session.countDocuments({ userId: u.id })).to.equal(1);
  });

  it('never accepts a longer password that shares the first 72 bytes', async () => {
    const password = 'p'.repeat(72);
    const u = await signupUser({ password });
    const ip = freshIp();
    const exact = await login({ identifier: u.input.username, password }, ip);
    expect(exact.status).to.equal(200);
    const longer = await login({ identifier: u.input.username, password: `${password}X` }, ip);
    expect(longer.status).to.equal(401);
    expect(longer.body.error.code).to.equal('INVALID_CREDENTIALS');
  });

  it('locks an account out after repeated failures, with Retry-After, even for the right password', async () => {
    const u = await signupUser();
    for (let i = 0; i < 5; i++) {
      const res = await login({ identifier: u.input.email, password: `wrong-${i}-pass` });
      expect(res.status).to.equal(401);
    }
    const locked = await login({ identifier: u.input.email, password: u.input.password });
    expect(locked.status).to.equal(429);
    expect(locked.body.error.code).to.equal('RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).to.be.greaterThan(0);
    expectDocumented(locked, 'post', LOGIN);
    // The lock is per account: another account signs in from the same place.
    const other = await signupUser();
    const ok = await login({ identifier: other.input.email, password: other.input.password });
    expect(ok.status).to.equal(200);
  });

  it('locks out an address that fails across many accounts, and only that address', async () => {
    const ip = freshIp();
    let last;
    for (let i = 0; i < 21; i++) {
      last = await login({ identifier: `nobody${i}@example.com`, password: 'wrong password' }, ip);
    }
    expect(last!.status).to.equal(429);
    expect(last!.headers['retry-after']).to.match(/^\d+$/);
    const u = await signupUser();
    const elsewhere = await login({ identifier: u.input.email, password: u.input.password });
    expect(elsewhere.status).to.equal(200);
  });

  it('does not count successful sign-ins towards the lockout', async () => {
    const u = await signupUser();
    for (let i = 0; i < 8; i++) {
      const res = await login({ identifier: u.input.username, password: u.input.password });
      expect(res.status).to.equal(200);
    }
  });
});
