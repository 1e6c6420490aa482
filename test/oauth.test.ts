import { expect } from 'chai';
import { AuditRecord } from '../models/audit-record.model.js';
import { OAuthIdentity } from '../models/oauth-identity.model.js';
import { OAuthSignup } from '../models/oauth-signup.model.js';
import { User } from '../models/user.model.js';
import { api, freshIp } from './support/app.js';
import { tokenFrom, waitForMail } from './support/mail.js';
import {
  appleCredential,
  googleCredential,
  missingProfile,
  newSubject,
  OAUTH,
  oauthSignIn,
  signUpWith,
} from './support/oauth.js';
import { oauthStandIn } from './support/oauth-standin.js';
import { expectDocumented } from './support/openapi.js';
import { bearer, signupUser } from './support/users.js';

const refused = (res: { status: number; body: { error?: { code: string; details?: { reason?: string } } } }, reason: string) => {
  expect(res.status, JSON.stringify(res.body)).to.equal(401);
  expect(res.body.error).to.deep.include({ code: 'INVALID_OAUTH_TOKEN', details: { reason } });
};

describe('sign in with Google and Apple', () => {
  it('a first Google sign-in asks for the profile, creates the account, and the next sign-in finds it by subject', async () => {
    const sub = newSubject();
    const first = await googleCredential({ sub, email: `Grace.${sub}@Gmail.test` });
    const asked = await oauthSignIn('google', first);
    expect(asked.status, JSON.stringify(asked.body)).to.equal(202);
    expectDocumented(asked, 'post', '/api/v1/auth/oauth/google');
    expect(asked.body).to.include({ status: 'profile_required' });
    expect(asked.body.missing).to.deep.equal(['gender', 'dateOfBirth', 'phone', 'username', 'preference', 'interests']);
    expect(asked.body.profile).to.deep.equal({
      firstName: 'Grace',
      lastName: 'Hopper',
      email: `grace.${sub}@gmail.test`,
      emailVerified: true,
    });
    // No account yet: it is not usable until the profile is complete.
    expect(await User.exists({ email: `grace.${sub}@gmail.test` })).to.equal(null);

    // The provider's email stands; the client cannot swap in another one.
    const profile = missingProfile();
    const done = await (
      await api()
    )
      .post(`${OAUTH}/complete`)
      .send({ signupToken: asked.body.signupToken, ...profile, email: 'someone.else@example.com' });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    expectDocumented(done, 'post', '/api/v1/auth/oauth/complete');
    expect(done.body.user).to.include({ email: `grace.${sub}@gmail.test`, emailVerified: true, firstName: 'Grace' });
    expect(done.body.user.username).to.equal(profile.username);
    const identity = await OAuthIdentity.findOne({ provider: 'google', subject: sub }).lean();
    expect(String(identity?.userId)).to.equal(done.body.user.id);
    expect(await OAuthSignup.exists({ subject: sub })).to.equal(null);

    // The same token again is a replay; a fresh one signs in to the same account.
    refused(await oauthSignIn('google', first), 'replayed');
    const again = await oauthSignIn('google', await googleCredential({ sub, email: `grace.${sub}@gmail.test` }));
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    expectDocumented(again, 'post', '/api/v1/auth/oauth/google');
    expect(again.body.status).to.equal('signed_in');
    expect(again.body.user.id).to.equal(done.body.user.id);
    const me = await (await api()).get('/api/v1/auth/me').set(bearer(again.body.accessToken));
    expect(me.body.user.id).to.equal(done.body.user.id);
    // The signup token was spent.
    const reused = await (
      await api()
    )
      .post(`${OAUTH}/complete`)
      .send({ signupToken: asked.body.signupToken, ...missingProfile() });
    expect(reused.status).to.equal(400);
    expect(reused.body.error.code).to.equal('INVALID_SIGNUP_TOKEN');
  });

  it('Apple: a hashed nonce and a private-relay address sign up; the name comes from the app', async () => {
    const credential = await appleCredential();
    const asked = await oauthSignIn('apple', { ...credential, firstName: 'Tim', lastName: 'Berners-Lee' });
    expect(asked.status, JSON.stringify(asked.body)).to.equal(202);
    expect(asked.body.profile).to.include({ firstName: 'Tim', lastName: 'Berners-Lee', emailVerified: true });
    expect(asked.body.profile.email).to.match(/@privaterelay\.appleid\.com$/);
    const done = await (await api()).post(`${OAUTH}/complete`).send({ signupToken: asked.body.signupToken, ...missingProfile() });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    expect(done.body.user).to.include({ firstName: 'Tim', emailVerified: true });
  });

  it('refuses a wrong audience, issuer, an expired token, a bad signature, a missing or wrong nonce, an unknown key id', async () => {
    const standIn = await oauthStandIn();
    const sub = newSubject();
    refused(await oauthSignIn('google', await googleCredential({ sub, aud: 'someone-elses-app.apps.test' })), 'audience');
    refused(await oauthSignIn('google', await googleCredential({ sub, iss: 'https://accounts.evil.test' })), 'issuer');
    refused(await oauthSignIn('google', await googleCredential({ sub }, { expiresIn: -120 })), 'expired');
    // Signed by a key that is not published, under the kid of one that is.
    const forger = await standIn.google.unpublishedKey();
    refused(
      await oauthSignIn('google', await googleCredential({ sub }, { key: forger, kid: standIn.google.keys[0]!.kid })),
      'signature',
    );
    refused(await oauthSignIn('google', await googleCredential({ sub }, { key: forger })), 'unknown_key');
    // An Apple token is not a Google token: Google's key set does not hold Apple's keys.
    refused(await oauthSignIn('google', await appleCredential()), 'unknown_key');

    const good = await googleCredential({ sub });
    refused(await oauthSignIn('google', { ...good, nonce: 'a-different-nonce-0123456789' }), 'nonce');
    const noNonceInToken = await googleCredential({ sub, nonce: undefined });
    refused(await oauthSignIn('google', noNonceInToken), 'nonce');
    const noNonceSent = await oauthSignIn('google', { idToken: good.idToken });
    expect(noNonceSent.status).to.equal(400);
    expect(noNonceSent.body.error.code).to.equal('VALIDATION_FAILED');
    // Hostile shapes are a 400 before any provider is asked.
    for (const body of [
      { idToken: { $gt: '' }, nonce: good.nonce },
      { ...good, extra: 1 },
      { idToken: 'not-a-jwt', nonce: good.nonce },
    ]) {
      const res = await oauthSignIn('google', body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
    }
    // Nothing was created for any of them, and the good token still works.
    expect(await OAuthSignup.exists({ subject: sub })).to.equal(null);
    expect((await oauthSignIn('google', good)).status).to.equal(202);
  });

  it('picks up a rotated key set, and caches keys between sign-ins', async () => {
    const { google } = await oauthStandIn();
    expect((await oauthSignIn('google', await googleCredential())).status).to.equal(202);
    const fetchesBefore = google.fetches;
    for (let i = 0; i < 3; i++) expect((await oauthSignIn('google', await googleCredential())).status).to.equal(202);
    expect(google.fetches, 'known key ids are served from the cache').to.equal(fetchesBefore);

    const signedBeforeRotation = await googleCredential();
    await google.rotate();
    const afterRotation = await oauthSignIn('google', await googleCredential());
    expect(afterRotation.status, JSON.stringify(afterRotation.body)).to.equal(202);
    expect(google.fetches).to.equal(fetchesBefore + 1);
    // The retired key is gone from the set: its tokens no longer verify.
    refused(await oauthSignIn('google', signedBeforeRotation), 'unknown_key');
  });

  it('an unverified email never links to an existing account; a verified one on a verified account links', async () => {
    const existing = await signupUser();
    const email = existing.input.email;
    const unverified = await oauthSignIn('google', await googleCredential({ email, email_verified: false }));
    expect(unverified.status).to.equal(409);
    expect(unverified.body.error.code).to.equal('ACCOUNT_EXISTS');
    // Verified by Google, but the account never proved the address (it may be someone squatting it).
    const unprovenAccount = await oauthSignIn('google', await googleCredential({ email }));
    expect(unprovenAccount.status).to.equal(409);
    expect(unprovenAccount.body.error.code).to.equal('ACCOUNT_EXISTS');
    // Facebook never vouches for an address.
    const { facebook } = await oauthStandIn();
    const fb = await oauthSignIn('facebook', { accessToken: facebook.token({ id: newSubject(), email }) });
    expect(fb.status).to.equal(409);
    expect(await OAuthIdentity.exists({ userId: existing.id })).to.equal(null);

    await User.updateOne({ _id: existing.id }, { $set: { emailVerified: true } });
    const linked = await oauthSignIn('google', await googleCredential({ email }));
    expect(linked.status, JSON.stringify(linked.body)).to.equal(200);
    expect(linked.body.user.id).to.equal(existing.id);
    expect(await OAuthIdentity.exists({ userId: existing.id, provider: 'google' })).to.not.equal(null);
    await waitForMail(email, /Sign-in with Google was linked/);
    expect(await AuditRecord.exists({ userId: existing.id, action: 'auth.provider_linked' })).to.not.equal(null);
  });

  it('Apple: an unverified address or a private-relay alias never links to an existing account', async () => {
    const existing = await signupUser();
    await User.updateOne({ _id: existing.id }, { $set: { emailVerified: true } });
    const email = existing.input.email;
    const unverified = await oauthSignIn(
      'apple',
      await appleCredential({ email, email_verified: 'false', is_private_email: 'false' }),
    );
    expect([unverified.status, unverified.body.error.code]).to.deep.equal([409, 'ACCOUNT_EXISTS']);
    const relay = await oauthSignIn('apple', await appleCredential({ email, email_verified: 'true', is_private_email: 'true' }));
    expect([relay.status, relay.body.error.code]).to.deep.equal([409, 'ACCOUNT_EXISTS']);
    expect(await OAuthIdentity.exists({ userId: existing.id })).to.equal(null);
    // The same address, vouched for and not an alias, links.
    const linked = await oauthSignIn('apple', await appleCredential({ email, email_verified: true, is_private_email: false }));
    expect(linked.status, JSON.stringify(linked.body)).to.equal(200);
    expect(linked.body.user.id).to.equal(existing.id);
  });

  it('completing with a taken username is a 409 that keeps the sign-up open; a second first sign-in replaces it', async () => {
    const taken = await signupUser();
    const sub = newSubject();
    const asked = await oauthSignIn('google', await googleCredential({ sub }));
    const clash = await (
      await api()
    )
      .post(`${OAUTH}/complete`)
      .send({ signupToken: asked.body.signupToken, ...missingProfile({ username: taken.input.username }) });
    expect(clash.status).to.equal(409);
    expect(clash.body.error.code).to.equal('USERNAME_TAKEN');
    expect(await OAuthIdentity.exists({ subject: sub })).to.equal(null);
    const retried = await oauthSignIn('google', await googleCredential({ sub }));
    expect(retried.status).to.equal(202);
    const stale = await (
      await api()
    )
      .post(`${OAUTH}/complete`)
      .send({ signupToken: asked.body.signupToken, ...missingProfile() });
    expect(stale.body.error.code).to.equal('INVALID_SIGNUP_TOKEN');
    const done = await (
      await api()
    )
      .post(`${OAUTH}/complete`)
      .send({ signupToken: retried.body.signupToken, ...missingProfile() });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    const invalid = await (
      await api()
    )
      .post(`${OAUTH}/complete`)
      .send({ signupToken: retried.body.signupToken, ...missingProfile({ dateOfBirth: '2020-01-01' }) });
    expect(invalid.status).to.equal(400);
  });
});

describe('sign in with Facebook', () => {
  it('checks the token with debug_token: another app or an invalid token is refused; a good one signs up, email unverified', async () => {
    const { facebook } = await oauthStandIn();
    const id = newSubject();
    refused(await oauthSignIn('facebook', { accessToken: facebook.token({ id }, { appId: '999' }) }), 'audience');
    refused(await oauthSignIn('facebook', { accessToken: facebook.token({ id }, { valid: false }) }), 'rejected');
    refused(await oauthSignIn('facebook', { accessToken: `EAAG${'0'.repeat(40)}` }), 'rejected');
    const email = `fb.${id}@example.com`;
    const asked = await oauthSignIn('facebook', {
      accessToken: facebook.token({ id, email, first_name: 'Linus', last_name: 'T' }),
    });
    expect(asked.status, JSON.stringify(asked.body)).to.equal(202);
    expect(asked.body.profile).to.deep.equal({ firstName: 'Linus', lastName: 'T', email, emailVerified: false });
    const done = await (await api()).post(`${OAUTH}/complete`).send({ signupToken: asked.body.signupToken, ...missingProfile() });
    expect(done.status).to.equal(201);
    expect(done.body.user.emailVerified).to.equal(false);
    await waitForMail(email, /Confirm your email/);
    // A Facebook token stays valid for a while: signing in again with it works.
    const again = await oauthSignIn('facebook', { accessToken: facebook.token({ id, email }) });
    expect(again.body.user.id).to.equal(done.body.user.id);
  });

  it('asks for the email when Facebook gives none, or one our own rules refuse', async () => {
    const { facebook } = await oauthStandIn();
    // The address a deleted account is given: held by someone else, it would stop that deletion.
    const placeholder = await oauthSignIn('facebook', {
      accessToken: facebook.token({ id: newSubject(), first_name: 'Eve', email: `${newSubject()}@deleted_account.invalid` }),
    });
    expect(placeholder.body.missing).to.include('email');
    const asked = await oauthSignIn('facebook', { accessToken: facebook.token({ id: newSubject(), first_name: 'Ana' }) });
    expect(asked.body.missing).to.include.members(['lastName', 'email']);
    const without = await (
      await api()
    )
      .post(`${OAUTH}/complete`)
      .send({ signupToken: asked.body.signupToken, ...missingProfile() });
    expect(without.status).to.equal(400);
    expect(without.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal(['lastName', 'email']);
    const email = `ana.${newSubject()}@example.com`;
    const done = await (
      await api()
    )
      .post(`${OAUTH}/complete`)
      .send({ signupToken: asked.body.signupToken, ...missingProfile(), lastName: 'Lima', email });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    expect(done.body.user).to.include({ email, lastName: 'Lima', emailVerified: false });
  });
});

describe('linking and unlinking providers', () => {
  it('a password account links Google and unlinks it; an identity of another user is refused', async () => {
    const u = await signupUser();
    // Linking needs a proven address: the owner confirms it from their own session.
    const verify = tokenFrom(await waitForMail(u.input.email, /Confirm your email/));
    await (await api()).post('/api/v1/auth/verify-email').set(bearer(u.accessToken)).send({ token: verify }).expect(200);
    const credential = await googleCredential();
    const link = await (await api()).post(`${OAUTH}/google/link`).set(bearer(u.accessToken)).send(credential);
    expect(link.status, JSON.stringify(link.body)).to.equal(200);
    expectDocumented(link, 'post', '/api/v1/auth/oauth/google/link');
    expect(link.body.password).to.equal(true);
    expect(link.body.providers.map((p: { provider: string }) => p.provider)).to.deep.equal(['google']);
    await waitForMail(u.input.email, /Sign-in with Google was linked/);

    // Another user cannot take the same Google account.
    const other = await signupUser();
    const otherVerify = tokenFrom(await waitForMail(other.input.email, /Confirm your email/));
    await (await api()).post('/api/v1/auth/verify-email').set(bearer(other.accessToken)).send({ token: otherVerify }).expect(200);
    const sub = (await OAuthIdentity.findOne({ userId: u.id }).lean())!.subject;
    const steal = await (
      await api()
    )
      .post(`${OAUTH}/google/link`)
      .set(bearer(other.accessToken))
      .send(await googleCredential({ sub }));
    expect(steal.status).to.equal(409);
    expect(steal.body.error.code).to.equal('IDENTITY_IN_USE');
    // Nor can the owner link a second Google account.
    const second = await (
      await api()
    )
      .post(`${OAUTH}/google/link`)
      .set(bearer(u.accessToken))
      .send(await googleCredential());
    expect(second.body.error.code).to.equal('PROVIDER_ALREADY_LINKED');

    const unlink = await (await api()).delete(`${OAUTH}/google`).set(bearer(u.accessToken));
    expect(unlink.status).to.equal(200);
    expectDocumented(unlink, 'delete', '/api/v1/auth/oauth/{provider}');
    expect(unlink.body).to.deep.equal({ password: true, providers: [] });
    const again = await (await api()).delete(`${OAUTH}/google`).set(bearer(u.accessToken));
    expect(again.status).to.equal(404);
    expect(again.body.error.code).to.equal('NOT_LINKED');
    const bad = await (await api()).delete(`${OAUTH}/myspace`).set(bearer(u.accessToken));
    expect(bad.status).to.equal(400);
  });

  it('refuses to unlink the last way to sign in, even two unlinks at once', async () => {
    const { facebook } = await oauthStandIn();
    const account = await signUpWith('google', await googleCredential());
    const lastOne = await (await api()).delete(`${OAUTH}/google`).set(bearer(account.accessToken));
    expect(lastOne.status).to.equal(409);
    expectDocumented(lastOne, 'delete', '/api/v1/auth/oauth/{provider}');
    expect(lastOne.body.error.code).to.equal('LAST_SIGN_IN_METHOD');

    const fb = await (
      await api()
    )
      .post(`${OAUTH}/facebook/link`)
      .set(bearer(account.accessToken))
      .send({ accessToken: facebook.token({ id: newSubject() }) });
    expect(fb.status).to.equal(200);
    const both = await Promise.all(
      ['google', 'facebook'].map(async (p) => (await api()).delete(`${OAUTH}/${p}`).set(bearer(account.accessToken))),
    );
    expect(both.map((r) => r.status).sort()).to.deep.equal([200, 409]);
    expect(await OAuthIdentity.countDocuments({ userId: account.id })).to.equal(1);
    const methods = await (await api()).get(OAUTH).set(bearer(account.accessToken));
    expectDocumented(methods, 'get', '/api/v1/auth/oauth');
    expect(methods.body.password).to.equal(false);
    expect(methods.body.providers).to.have.length(1);
  });
});

describe('social sign-in limits', () => {
  it('refused tokens count against the address like failed logins', async () => {
    const ip = freshIp();
    let last;
    for (let i = 0; i < 21; i++) last = await oauthSignIn('google', await googleCredential({ aud: 'nope.apps.test' }), ip);
    expect(last!.status).to.equal(429);
  });
});
