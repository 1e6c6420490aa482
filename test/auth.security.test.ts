import { expect } from 'chai';
import { config } from '../config/index.js';
import { OAuthIdentity } from '../models/oauth-identity.model.js';
import { Session } from '../models/session.model.js';
import { User } from '../models/user.model.js';
import { api, freshIp, ORIGIN } from './support/app.js';
import { waitForMail, tokenFrom } from './support/mail.js';
import { googleCredential, newSubject, OAUTH, oauthSignIn, signUpWith } from './support/oauth.js';
import { oauthStandIn } from './support/oauth-standin.js';
import { bearer, cookiesOf, newSignup, signupUser, staffUser } from './support/users.js';

const AUTH = '/api/v1/auth';

describe('account security: tokens, roles and sign-in methods', function () {
  this.timeout(30_000);

  it('a browser never gets an access or refresh token in a body, only HTTP-only cookies; apps do', async () => {
    const input = newSignup();
    const signup = await (await api()).post(`${AUTH}/signup`).set('Origin', ORIGIN).set('X-Forwarded-For', freshIp()).send(input);
    expect(signup.status).to.equal(201);
    expect(signup.body).to.have.property('user');
    expect(signup.body).to.not.have.any.keys('accessToken', 'refreshToken');
    expect(JSON.stringify(signup.body)).to.not.match(/eyJ/);
    const cookies = cookiesOf(signup);
    expect(cookies.map((c) => c.split('=')[0]).sort()).to.deep.equal(['access_token', 'refresh_token']);

    const login = await (
      await api()
    )
      .post(`${AUTH}/login`)
      .set('Sec-Fetch-Site', 'same-origin')
      .send({ identifier: input.email, password: input.password });
    expect(login.status).to.equal(200);
    expect(login.body).to.not.have.any.keys('accessToken', 'refreshToken');
    const refreshed = await (
      await api()
    )
      .post(`${AUTH}/refresh`)
      .set('Origin', ORIGIN)
      .set('Cookie', cookiesOf(login).join('; '));
    expect(refreshed.status).to.equal(200);
    expect(refreshed.body).to.deep.equal({ expiresIn: config.auth.accessTtlSeconds });

    // A native app (no Origin, no Sec-Fetch-*) keeps its Bearer flow.
    const app = await (await api()).post(`${AUTH}/login`).send({ identifier: input.email, password: input.password });
    expect(app.body.accessToken).to.be.a('string');
    expect(app.body.refreshToken).to.be.a('string');
  });

  it('a role change ends the access of every token carrying the old role at once', async () => {
    const [admin, moderator] = await Promise.all([staffUser('admin'), staffUser('moderator')]);
    const queue = () => api().then((a) => a.get('/api/v1/admin/reports').set(bearer(moderator.accessToken)));
    expect((await queue()).status).to.equal(200);
    const demoted = await (
      await api()
    )
      .patch(`/api/v1/admin/users/${moderator.id}/role`)
      .set(bearer(admin.accessToken))
      .send({ role: 'user' });
    expect(demoted.status).to.equal(200);
    const after = await queue();
    expect([after.status, after.body.error.code]).to.deep.equal([401, 'INVALID_TOKEN']);
    const refresh = await (await api()).post(`${AUTH}/refresh`).send({ refreshToken: moderator.refreshToken });
    expect(refresh.status).to.equal(401);
  });

  it('linking or unlinking a sign-in method needs a recent sign-in; a password confirms one', async () => {
    const { facebook } = await oauthStandIn();
    const u = await signupUser();
    await User.updateOne({ _id: u.id }, { $set: { emailVerified: true } });
    // A session signed in an hour ago (a phone left unlocked, a stolen token).
    await Session.updateMany({ userId: u.id }, { $set: { authenticatedAt: new Date(Date.now() - 3_600_000) } });
    const link = () =>
      api().then((a) =>
        a
          .post(`${OAUTH}/facebook/link`)
          .set(bearer(u.accessToken))
          .send({ accessToken: facebook.token({ id: newSubject() }) }),
      );
    const stale = await link();
    expect([stale.status, stale.body.error.code]).to.deep.equal([403, 'REAUTHENTICATION_REQUIRED']);
    const wrong = await (
      await api()
    )
      .post(`${AUTH}/reauthenticate`)
      .set(bearer(u.accessToken))
      .send({ password: 'not the password' });
    expect(wrong.status).to.equal(400);
    expect((await link()).status, 'the wrong password confirmed nothing').to.equal(403);
    const confirmed = await (
      await api()
    )
      .post(`${AUTH}/reauthenticate`)
      .set(bearer(u.accessToken))
      .send({ password: u.input.password });
    expect(confirmed.status).to.equal(204);
    expect((await link()).status).to.equal(200);
    await Session.updateMany({ userId: u.id }, { $set: { authenticatedAt: new Date(Date.now() - 3_600_000) } });
    const unlink = await (await api()).delete(`${OAUTH}/facebook`).set(bearer(u.accessToken));
    expect(unlink.body.error.code).to.equal('REAUTHENTICATION_REQUIRED');
  });
});

describe('password guesses from a stolen session', function () {
  this.timeout(30_000);

  it('a password change is no guessing oracle: its guesses and re-authentications share one small budget', async () => {
    const u = await signupUser();
    const guess = async (path: 'change-password' | 'reauthenticate', password: string) =>
      (await api())
        .post(`${AUTH}/${path}`)
        .set('X-Forwarded-For', freshIp())
        .set(bearer(u.accessToken))
        .send(path === 'change-password' ? { currentPassword: password, newPassword: 'the thief 12345' } : { password });
    const budget = config.limits.actions.reauthenticate.user!;
    for (let i = 0; i < budget; i++) {
      const wrong = await guess(i % 2 ? 'reauthenticate' : 'change-password', `guess number ${i}`);
      expect(wrong.body.error?.code, `guess ${i}`).to.equal('WRONG_PASSWORD');
    }
    const right = await guess('change-password', u.input.password);
    expect([right.status, right.body.error?.code]).to.deep.equal([429, 'RATE_LIMITED']);
    const login = await (await api()).post(`${AUTH}/login`).send({ identifier: u.input.email, password: u.input.password });
    expect(login.status, 'the password is unchanged').to.equal(200);
  });
});

describe('takeover before the owner arrives', function () {
  this.timeout(30_000);

  it("an address nobody proved collects no provider links; the owner's reset removes the squatter's way in", async () => {
    const { facebook } = await oauthStandIn();
    const victim = `owner.${newSubject()}@example.com`;
    // The squatter signs up with the victim's address by password and tries to add Google.
    const squatter = await signupUser({ email: victim });
    const linked = await (
      await api()
    )
      .post(`${OAUTH}/google/link`)
      .set(bearer(squatter.accessToken))
      .send(await googleCredential());
    expect([linked.status, linked.body.error.code]).to.deep.equal([403, 'EMAIL_NOT_VERIFIED']);

    // A second squatter uses Facebook (no email given) and types another victim's address.
    const victim2 = `owner.${newSubject()}@example.com`;
    const fbId = newSubject();
    const viaFacebook = await signUpWith(
      'facebook',
      { accessToken: facebook.token({ id: fbId, first_name: 'Eve' }) },
      {
        firstName: 'Eve',
        lastName: 'S',
        email: victim2,
      },
    );
    expect(viaFacebook.user.emailVerified).to.equal(false);
    // Google vouching for the address does not link into the unproven account either.
    const google = await oauthSignIn('google', await googleCredential({ email: victim2 }));
    expect(google.body.error?.code).to.equal('ACCOUNT_EXISTS');

    // The owner of victim2's mailbox resets the password: the squatter's Facebook and sessions go.
    await (await api()).post(`${AUTH}/forgot-password`).set('X-Forwarded-For', freshIp()).send({ email: victim2 }).expect(202);
    const reset = tokenFrom(await waitForMail(victim2, /Reset your password/));
    await (await api()).post(`${AUTH}/reset-password`).send({ token: reset, password: 'the real owner 2026' }).expect(204);
    expect(await OAuthIdentity.countDocuments({ userId: viaFacebook.id })).to.equal(0);
    expect((await (await api()).get(`${AUTH}/me`).set(bearer(viaFacebook.accessToken))).status).to.equal(401);
    const again = await oauthSignIn('facebook', { accessToken: facebook.token({ id: fbId }) });
    expect(again.status, 'Facebook no longer signs in to the account').to.equal(202);
    const told = await waitForMail(victim2, /we secured your account/);
    expect(told.body.text).to.include('facebook');
    const owner = await User.findById(viaFacebook.id, { emailVerified: 1, linkedProviders: 1 }).lean();
    expect(owner).to.deep.include({ emailVerified: true, linkedProviders: [] });
  });

  it('the first verification by the mailbox owner ends what was attached before; the owner verifying in their own session keeps it', async () => {
    const victim = `owner.${newSubject()}@example.com`;
    const squatter = await signupUser({ email: victim });
    const verifyLink = tokenFrom(await waitForMail(victim, /Confirm your email/));
    // Opened by whoever reads the mailbox, not signed in to the account.
    await (await api()).post(`${AUTH}/verify-email`).send({ token: verifyLink }).expect(200);
    expect((await (await api()).get(`${AUTH}/me`).set(bearer(squatter.accessToken))).status).to.equal(401);
    expect((await (await api()).post(`${AUTH}/refresh`).send({ refreshToken: squatter.refreshToken })).status).to.equal(401);
    // The squatter's password went too: the owner sets their own from the mail.
    const again = await (
      await api()
    )
      .post(`${AUTH}/login`)
      .set('X-Forwarded-For', freshIp())
      .send({ identifier: victim, password: squatter.input.password });
    expect(again.status).to.equal(401);
    const secured = await waitForMail(victim, /we secured your account/);
    const reset = tokenFrom(secured);
    await (await api()).post(`${AUTH}/reset-password`).send({ token: reset, password: 'mine from now on' }).expect(204);

    // The creator confirms from their own session, or from anywhere with the password: nothing is lost.
    const honest = await signupUser();
    const link = tokenFrom(await waitForMail(honest.input.email, /Confirm your email/));
    await (await api()).post(`${AUTH}/verify-email`).set(bearer(honest.accessToken)).send({ token: link }).expect(200);
    expect((await (await api()).get(`${AUTH}/me`).set(bearer(honest.accessToken))).status).to.equal(200);
    const elsewhere = await signupUser();
    const link2 = tokenFrom(await waitForMail(elsewhere.input.email, /Confirm your email/));
    const wrong = await (await api()).post(`${AUTH}/verify-email`).send({ token: link2, password: 'not the password' });
    expect(wrong.body.error.code).to.equal('WRONG_PASSWORD');
    await (await api()).post(`${AUTH}/verify-email`).send({ token: link2, password: elsewhere.input.password }).expect(200);
    expect((await (await api()).get(`${AUTH}/me`).set(bearer(elsewhere.accessToken))).status).to.equal(200);
  });
});
