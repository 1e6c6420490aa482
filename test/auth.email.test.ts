import { expect } from 'chai';
import { AccountToken } from '../models/account-token.model.js';
import { Session } from '../models/session.model.js';
import { User } from '../models/user.model.js';
import { api, freshIp } from './support/app.js';
import { mailsTo, tokenFrom, waitForMail } from './support/mail.js';
import { expectDocumented } from './support/openapi.js';
import { bearer, signupUser } from './support/users.js';

const post = async (path: string, body: object, headers: Record<string, string> = {}) =>
  (await api()).post(`/api/v1/auth${path}`).set('X-Forwarded-For', freshIp()).set(headers).send(body);

describe('email verification', () => {
  it('verifies with the emailed token, once', async () => {
    const u = await signupUser();
    const token = tokenFrom(await waitForMail(u.input.email, /Confirm your email/));
    const res = await post('/verify-email', { token });
    expect(res.status).to.equal(200);
    expectDocumented(res, 'post', '/api/v1/auth/verify-email');
    expect(res.body.user.emailVerified).to.equal(true);
    expect((await User.findById(u.id).lean())!.emailVerified).to.equal(true);
    const again = await post('/verify-email', { token });
    expect(again.status).to.equal(400);
    expect(again.body.error.code).to.equal('INVALID_LINK');
  });

  it('refuses an expired, unknown or malformed token and changes nothing', async () => {
    const u = await signupUser();
    const token = tokenFrom(await waitForMail(u.input.email, /Confirm your email/));
    await AccountToken.updateMany({ userId: u.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    for (const body of [{ token }, { token: 'A'.repeat(43) }, { token: 'short' }, { token: { $ne: null } }, { token: 123 }]) {
      const res = await post('/verify-email', body);
      expect(res.status).to.equal(400);
    }
    expect((await User.findById(u.id).lean())!.emailVerified).to.equal(false);
  });

  it('only verifies with a token meant for verification', async () => {
    const u = await signupUser();
    await post('/forgot-password', { email: u.input.email });
    const resetToken = tokenFrom(await waitForMail(u.input.email, /Reset your password/));
    expect((await post('/verify-email', { token: resetToken })).status).to.equal(400);
  });

  it('resends on request, rate limited per user, and not once verified', async () => {
    const u = await signupUser();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post('/verify-email/resend', {}, bearer(u.accessToken))).status);
    expect(statuses).to.deep.equal([202, 202, 202, 429]);
    await waitForMail(u.input.email, /Confirm your email/, 4);
    expect((await post('/verify-email/resend', {})).status).to.equal(401);

    const v = await signupUser();
    const token = tokenFrom(await waitForMail(v.input.email, /Confirm your email/));
    // Verified from their own session: the session stays.
    await post('/verify-email', { token }, bearer(v.accessToken));
    const res = await post('/verify-email/resend', {}, bearer(v.accessToken));
    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('EMAIL_ALREADY_VERIFIED');
  });
});

describe('password reset', () => {
  it('answers the same for known and unknown addresses, and mails only the known one', async () => {
    const u = await signupUser();
    const known = await post('/forgot-password', { email: u.input.email.toUpperCase() });
    const unknown = await post('/forgot-password', { email: 'nobody-here@example.com' });
    expect(known.status).to.equal(202);
    expect(unknown.status).to.equal(202);
    expect(known.body).to.deep.equal(unknown.body);
    expectDocumented(known, 'post', '/api/v1/auth/forgot-password');
    await waitForMail(u.input.email, /Reset your password/);
    expect(await mailsTo('nobody-here@example.com')).to.have.length(0);
  });

  it('resets with the token, revokes every session, and the old password stops working', async () => {
    const u = await signupUser();
    await post('/login', { identifier: u.input.email, password: u.input.password });
    await post('/forgot-password', { email: u.input.email });
    const token = tokenFrom(await waitForMail(u.input.email, /Reset your password/));
    const res = await post('/reset-password', { token, password: 'brand new password' });
    expect(res.status).to.equal(204);
    expect(await Session.countDocuments({ userId: u.id, revokedAt: null })).to.equal(0);
    expect((await post('/refresh', { refreshToken: u.refreshToken })).status).to.equal(401);
    expect((await post('/login', { identifier: u.input.email, password: u.input.password })).status).to.equal(401);
    expect((await post('/login', { identifier: u.input.email, password: 'brand new password' })).status).to.equal(200);
  });

  it('refuses a reset token used twice, or expired, and keeps the password', async () => {
    const u = await signupUser();
    await post('/forgot-password', { email: u.input.email });
    const token = tokenFrom(await waitForMail(u.input.email, /Reset your password/));
    expect((await post('/reset-password', { token, password: 'first new password' })).status).to.equal(204);
    const twice = await post('/reset-password', { token, password: 'second new password' });
    expect(twice.status).to.equal(400);
    expect(twice.body.error.code).to.equal('INVALID_LINK');
    expect((await post('/login', { identifier: u.input.email, password: 'first new password' })).status).to.equal(200);

    await post('/forgot-password', { email: u.input.email });
    const late = tokenFrom(await waitForMail(u.input.email, /Reset your password/, 2));
    const stored = await AccountToken.findOne({ userId: u.id, purpose: 'reset_password', usedAt: null }).lean();
    const ttlMinutes = (stored!.expiresAt.getTime() - stored!.createdAt.getTime()) / 60_000;
    expect(ttlMinutes).to.be.closeTo(60, 0.1);
    await AccountToken.updateOne({ _id: stored!._id }, { $set: { expiresAt: new Date(Date.now() - 1) } });
    expect((await post('/reset-password', { token: late, password: 'third new password' })).status).to.equal(400);
    expect((await post('/login', { identifier: u.input.email, password: 'first new password' })).status).to.equal(200);
  });

  it('sets no password on an account deleted after its reset link was sent', async () => {
    const u = await signupUser();
    await post('/forgot-password', { email: u.input.email });
    const token = tokenFrom(await waitForMail(u.input.email, /Reset your password/));
    // As a deletion running while the link is used: the account marked, its links not yet revoked.
    await User.updateOne({ _id: u.id }, { $set: { deletedAt: new Date() } });
    const before = (await User.findById(u.id, { passwordHash: 1, emailVerified: 1 }).lean())!;
    const res = await post('/reset-password', { token, password: 'brand new password' });
    expect([res.status, res.body.error?.code]).to.deep.equal([400, 'INVALID_LINK']);
    const after = (await User.findById(u.id, { passwordHash: 1, emailVerified: 1 }).lean())!;
    expect(after).to.deep.equal(before);
  });

  it('keeps only the newest password rules: 7 and 73 bytes refused', async () => {
    const u = await signupUser();
    await post('/forgot-password', { email: u.input.email });
    const token = tokenFrom(await waitForMail(u.input.email, /Reset your password/));
    expect((await post('/reset-password', { token, password: '1234567' })).status).to.equal(400);
    expect((await post('/reset-password', { token, password: 'x'.repeat(73) })).status).to.equal(400);
    // The refused attempts did not consume the token.
    expect((await post('/reset-password', { token, password: '12345678' })).status).to.equal(204);
  });

  it('rate limits requests per client address across many emails', async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const res = await (
        await api()
      )
        .post('/api/v1/auth/forgot-password')
        .set('X-Forwarded-For', ip)
        .send({ email: `many-${i}-${Date.now()}@example.com` });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 202)).to.equal(true);
    expect(statuses[20]).to.equal(429);
  });

  it('rate limits requests per address', async () => {
    const email = `limit-${Date.now()}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post('/forgot-password', { email })).status);
    expect(statuses.slice(0, 5)).to.deep.equal([202, 202, 202, 202, 202]);
    expect(statuses[5]).to.equal(429);
  });
});

describe('POST /auth/change-password', () => {
  it('needs the current password, then ends the other sessions but keeps this one', async () => {
    const u = await signupUser();
    const other = await post('/login', { identifier: u.input.email, password: u.input.password });
    const wrong = await post(
      '/change-password',
      { currentPassword: 'not the password', newPassword: 'a new password' },
      bearer(u.accessToken),
    );
    expect(wrong.status).to.equal(400);
    expect(wrong.body.error.code).to.equal('WRONG_PASSWORD');
    expect((await post('/login', { identifier: u.input.email, password: u.input.password })).status).to.equal(200);

    const res = await post(
      '/change-password',
      { currentPassword: u.input.password, newPassword: 'a new password' },
      bearer(u.accessToken),
    );
    expect(res.status).to.equal(204);
    expect((await post('/refresh', { refreshToken: other.body.refreshToken })).status).to.equal(401);
    expect((await post('/refresh', { refreshToken: u.refreshToken })).status).to.equal(200);
    expect((await post('/login', { identifier: u.input.email, password: 'a new password' })).status).to.equal(200);
    const told = await waitForMail(u.input.email, /password was changed/);
    expect(told.body.text).not.to.include('stays linked');
  });

  it('names the sign-in methods a new password leaves linked (someone who held the account may have linked theirs)', async () => {
    const u = await signupUser();
    await User.updateOne({ _id: u.id }, { $set: { linkedProviders: ['google', 'facebook'] } });
    const res = await post(
      '/change-password',
      { currentPassword: u.input.password, newPassword: 'a new password' },
      bearer(u.accessToken),
    );
    expect(res.status).to.equal(204);
    const told = await waitForMail(u.input.email, /password was changed/);
    expect(told.body.text).to.include('sign-in with Google, Facebook stays linked').and.include('/forgot-password');
    expect(told.body.html).to.include('Google, Facebook');
  });

  it('refuses without auth, and a new password out of range', async () => {
    const u = await signupUser();
    expect(
      (await post('/change-password', { currentPassword: u.input.password, newPassword: 'a new password' })).status,
    ).to.equal(401);
    const short = await post(
      '/change-password',
      { currentPassword: u.input.password, newPassword: 'short' },
      bearer(u.accessToken),
    );
    expect(short.status).to.equal(400);
  });
});
