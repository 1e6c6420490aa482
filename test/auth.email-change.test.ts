import { expect } from 'chai';
import { Types } from 'mongoose';
import { Session } from '../models/session.model.js';
import { User } from '../models/user.model.js';
import { api, freshIp } from './support/app.js';
import { mailsTo, tokenFrom, waitForMail } from './support/mail.js';
import { expectDocumented } from './support/openapi.js';
import { bearer, signupUser, staffUser, type SignedUp } from './support/users.js';

const post = async (path: string, body: object, headers: Record<string, string> = {}) =>
  (await api()).post(`/api/v1/auth${path}`).set('X-Forwarded-For', freshIp()).set(headers).send(body);
const fresh = () => `moved-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
const ask = (u: SignedUp, email: unknown) => post('/change-email', { email }, bearer(u.accessToken));
const login = (identifier: string, password: string) => post('/login', { identifier, password });

describe('changing the email address', () => {
  it('moves the account once the new address confirms: the old one is told, no longer signs in, and the change is audited', async () => {
    const u = await signupUser();
    const to = fresh();
    const asked = await ask(u, to.toUpperCase());
    expect(asked.status, JSON.stringify(asked.body)).to.equal(202);
    expectDocumented(asked, 'post', '/api/v1/auth/change-email');
    // Nothing moves before the confirmation; the current address hears of it, with the new one masked.
    expect((await User.findById(u.id).lean())!.email).to.equal(u.input.email);
    const warning = await waitForMail(u.input.email, /new email address was asked/);
    expect(warning.body.text).to.include(`${to[0]}***@example.com`);
    expect(warning.body.text).not.to.include(to);

    // A reset link mailed to the old address before the move (its reader may be why it moves).
    expect((await post('/forgot-password', { email: u.input.email })).status).to.equal(202);
    const oldReset = tokenFrom(await waitForMail(u.input.email, /Reset your password/));
    const token = tokenFrom(await waitForMail(to, /Confirm your new email/));
    const confirmed = await post('/change-email/confirm', { token });
    expect(confirmed.status, JSON.stringify(confirmed.body)).to.equal(200);
    expectDocumented(confirmed, 'post', '/api/v1/auth/change-email/confirm');
    expect(confirmed.body.user).to.include({ email: to, emailVerified: true });
    expect((await login(to, u.input.password)).status).to.equal(200);
    expect((await login(u.input.email, u.input.password)).status).to.equal(401);
    await waitForMail(u.input.email, /email address was changed/);
    expect((await post('/reset-password', { token: oldReset, password: 'taken over 123' })).body.error?.code).to.equal(
      'INVALID_LINK',
    );
    expect((await post('/refresh', { refreshToken: u.refreshToken })).status, 'sessions ended').to.equal(401);
    expect((await post('/change-email/confirm', { token })).body.error?.code, 'a link works once').to.equal('INVALID_LINK');

    const admin = await staffUser('admin');
    const trail = await (
      await api()
    )
      .get('/api/v1/admin/audit')
      .set(bearer(admin.accessToken))
      .query({ userId: u.id, action: 'auth.email_changed' });
    expect(trail.body.records).to.have.length(1);
    expect(trail.body.records[0]).to.deep.include({ actorId: u.id, before: { email: u.input.email }, after: { email: to } });
  });

  it("a pending change dies with the session that asked: the owner's reset, a password change elsewhere, signing out everywhere", async () => {
    const ways: Record<string, (u: SignedUp) => Promise<void>> = {
      // Someone signed up with the owner's address and asked to move it; the owner resets the password.
      'password reset': async (u) => {
        expect((await post('/forgot-password', { email: u.input.email })).status).to.equal(202);
        const reset = tokenFrom(await waitForMail(u.input.email, /Reset your password/));
        expect((await post('/reset-password', { token: reset, password: 'the owner 12345' })).status).to.equal(204);
      },
      'password change in another session': async (u) => {
        const other = await login(u.input.email, u.input.password);
        expect(other.status).to.equal(200);
        const changed = await post(
          '/change-password',
          { currentPassword: u.input.password, newPassword: 'the owner 12345' },
          bearer(other.body.accessToken),
        );
        expect(changed.status, JSON.stringify(changed.body)).to.equal(204);
      },
      'signing out everywhere': async (u) => {
        expect((await post('/logout-all', {}, bearer(u.accessToken))).status).to.equal(200);
      },
      // Someone used the owner's own device to ask; the owner changes the password on it.
      'password change in the asking session': async (u) => {
        const changed = await post(
          '/change-password',
          { currentPassword: u.input.password, newPassword: 'the owner 12345' },
          bearer(u.accessToken),
        );
        expect(changed.status, JSON.stringify(changed.body)).to.equal(204);
      },
    };
    for (const [way, recover] of Object.entries(ways)) {
      const u = await signupUser();
      const to = fresh();
      expect((await ask(u, to)).status, way).to.equal(202);
      const token = tokenFrom(await waitForMail(to, /Confirm your new email/));
      await recover(u);
      const late = await post('/change-email/confirm', { token });
      expect([late.status, late.body.error?.code], way).to.deep.equal([400, 'INVALID_LINK']);
      expect((await User.findById(u.id).lean())!.email, way).to.equal(u.input.email);
    }
  });

  it('moves no address onto an account deleted after the link was sent', async () => {
    const u = await signupUser();
    const to = fresh();
    expect((await ask(u, to)).status).to.equal(202);
    const token = tokenFrom(await waitForMail(to, /Confirm your new email/));
    // As a deletion running while the link is used: the account marked, its links not yet revoked.
    await User.updateOne({ _id: u.id }, { $set: { deletedAt: new Date() } });
    const confirmed = await post('/change-email/confirm', { token });
    expect([confirmed.status, confirmed.body.error?.code]).to.deep.equal([400, 'INVALID_LINK']);
    expect((await User.findById(u.id, { email: 1 }).lean())?.email).to.equal(u.input.email.toLowerCase());
  });

  it('a plain sign-out of the asking session keeps the link, unless the owner recovers afterwards or ends that session', async () => {
    const signOut = async (u: SignedUp) =>
      expect((await post('/logout', {}, bearer(u.accessToken))).status, 'signed out').to.be.oneOf([200, 204]);
    // People sign out, then open their mail: the change goes through.
    const u = await signupUser();
    const to = fresh();
    expect((await ask(u, to)).status).to.equal(202);
    const token = tokenFrom(await waitForMail(to, /Confirm your new email/));
    await signOut(u);
    const confirmed = await post('/change-email/confirm', { token });
    expect(confirmed.status, JSON.stringify(confirmed.body)).to.equal(200);
    expect((await User.findById(u.id).lean())!.email).to.equal(to);

    const ways: Record<string, (u: SignedUp, asker: string) => Promise<void>> = {
      // One who stole a session asks, signs out to hide it; the owner resets the password afterwards.
      'password reset after the sign-out': async (v) => {
        await signOut(v);
        expect((await post('/forgot-password', { email: v.input.email })).status).to.equal(202);
        const reset = tokenFrom(await waitForMail(v.input.email, /Reset your password/));
        expect((await post('/reset-password', { token: reset, password: 'the owner 12345' })).status).to.equal(204);
      },
      'signing out everywhere after the sign-out': async (v) => {
        const other = await login(v.input.email, v.input.password);
        await signOut(v);
        expect((await post('/logout-all', {}, bearer(other.body.accessToken))).status).to.equal(200);
      },
      // The owner sees a session they do not know in their list and ends it.
      'the owner ending the asking session': async (v, asker) => {
        const other = await login(v.input.email, v.input.password);
        const ended = await (await api()).delete(`/api/v1/auth/sessions/${asker}`).set(bearer(other.body.accessToken));
        expect(ended.status, JSON.stringify(ended.body)).to.equal(204);
      },
      // Whoever asked kept a second session and signed the asking one out: the owner ends the one they see.
      "the owner ending another of the asker's sessions after the sign-out": async (v) => {
        const [second, owner] = [await login(v.input.email, v.input.password), await login(v.input.email, v.input.password)];
        await signOut(v);
        const listed = await (await api()).get('/api/v1/auth/sessions').set(bearer(owner.body.accessToken));
        const others = (listed.body.sessions as { id: string; current: boolean }[]).filter((s) => !s.current);
        expect(others.map((s) => s.id)).to.have.length(1);
        const ended = await (await api()).delete(`/api/v1/auth/sessions/${others[0]!.id}`).set(bearer(owner.body.accessToken));
        expect(ended.status, JSON.stringify(ended.body)).to.equal(204);
        expect(second.status).to.equal(200);
      },
    };
    for (const [way, recover] of Object.entries(ways)) {
      const v = await signupUser();
      const listed = await (await api()).get('/api/v1/auth/sessions').set(bearer(v.accessToken));
      const asker = (listed.body.sessions as { id: string; current: boolean }[]).find((s) => s.current)!.id;
      const address = fresh();
      expect((await ask(v, address)).status, way).to.equal(202);
      const link = tokenFrom(await waitForMail(address, /Confirm your new email/));
      await recover(v, asker);
      const late = await post('/change-email/confirm', { token: link });
      expect([late.status, late.body.error?.code], way).to.deep.equal([400, 'INVALID_LINK']);
      expect((await User.findById(v.id).lean())!.email, way).to.equal(v.input.email);
    }
  });

  it('needs a recent sign-in, refuses a taken or unchanged address and hostile input, and a newer request voids older links', async () => {
    const [u, other] = await Promise.all([signupUser(), signupUser()]);
    // A session signed in long ago (a token left on a shared device) cannot move the mailbox.
    await Session.collection.updateMany(
      { userId: new Types.ObjectId(u.id) },
      { $set: { createdAt: new Date(Date.now() - 86_400_000), authenticatedAt: null } },
    );
    const stale = await ask(u, fresh());
    expect([stale.status, stale.body.error?.code]).to.deep.equal([403, 'REAUTHENTICATION_REQUIRED']);
    expect((await post('/reauthenticate', { password: u.input.password }, bearer(u.accessToken))).status).to.equal(204);

    for (const [email, code] of [
      [other.input.email, 'EMAIL_TAKEN'],
      [u.input.email, 'EMAIL_UNCHANGED'],
      [{ $ne: null }, 'INVALID_INPUT_KEY'],
      ['not an address', 'VALIDATION_FAILED'],
      [`${'a'.repeat(300)}@example.com`, 'VALIDATION_FAILED'],
    ] as const) {
      const res = await ask(u, email);
      expect(res.body.error?.code, JSON.stringify(email)).to.equal(code);
    }
    expect((await post('/change-email', { email: fresh() })).status, 'signed out').to.equal(401);

    // Mails cost the account's hourly budget (3 in tests), refusals included: a second person goes on.
    expect((await ask(u, fresh())).body.error?.code).to.equal('RATE_LIMITED');
    const v = await signupUser();
    const [first, second] = [fresh(), fresh()];
    expect((await ask(v, first)).status).to.equal(202);
    expect((await ask(v, second)).status).to.equal(202);
    const firstToken = tokenFrom(await waitForMail(first, /Confirm your new email/));
    expect((await post('/change-email/confirm', { token: firstToken })).body.error?.code).to.equal('INVALID_LINK');
    // Someone else takes the second address before it confirms: refused, nothing changes.
    await User.updateOne({ _id: other.id }, { $set: { email: second } });
    const secondToken = tokenFrom(await waitForMail(second, /Confirm your new email/));
    const taken = await post('/change-email/confirm', { token: secondToken });
    expect([taken.status, taken.body.error?.code]).to.deep.equal([409, 'EMAIL_TAKEN']);
    expect((await User.findById(v.id).lean())!.email).to.equal(v.input.email);
    expect((await mailsTo(v.input.email)).filter((m) => /email address was changed/.test(m.subject))).to.have.length(0);
  });
});
