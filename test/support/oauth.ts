import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { JWTPayload } from 'jose';
import { sha256 } from '../../utils/crypto.js';
import { api, freshIp } from './app.js';
import { oauthStandIn } from './oauth-standin.js';
import { bearer, newSignup } from './users.js';

export const OAUTH = '/api/v1/auth/oauth';

export const newNonce = () => randomBytes(16).toString('base64url');
export const newSubject = () => String(10n ** 20n + BigInt(`0x${randomBytes(6).toString('hex')}`));

type SignOptions = Parameters<Awaited<ReturnType<typeof oauthStandIn>>['google']['sign']>[1];

/** A Google ID token as Google issues it (verified email, names), for the client's nonce. */
export async function googleCredential(claims: JWTPayload = {}, options: SignOptions = {}) {
  const nonce = newNonce();
  const tag = randomBytes(4).toString('hex');
  const idToken = await (
    await oauthStandIn()
  ).google.sign(
    {
      sub: newSubject(),
      email: `grace.${tag}@gmail.test`,
      email_verified: true,
      given_name: 'Grace',
      family_name: 'Hopper',
      nonce,
      ...claims,
    },
    options,
  );
  return { idToken, nonce };
}

/** An Apple ID token from the iOS SDK: the token holds the nonce's SHA-256, booleans as strings. */
export async function appleCredential(claims: JWTPayload = {}) {
  const nonce = newNonce();
  const tag = randomBytes(4).toString('hex');
  const idToken = await (
    await oauthStandIn()
  ).apple.sign({
    sub: `000${tag}.${randomBytes(8).toString('hex')}.0421`,
    email: `${tag}@privaterelay.appleid.com`,
    email_verified: 'true',
    is_private_email: 'true',
    nonce: sha256(nonce),
    ...claims,
  });
  return { idToken, nonce };
}

export async function oauthSignIn(provider: string, body: Record<string, unknown>, ip = freshIp()) {
  return (await api()).post(`${OAUTH}/${provider}`).set('X-Forwarded-For', ip).send(body);
}

/** The profile a first social sign-in still needs: everything of a signup but names, email and password. */
export function missingProfile(overrides: Record<string, unknown> = {}) {
  const { firstName: _f, lastName: _l, email: _e, password: _p, ...rest } = newSignup();
  return { ...rest, ...overrides };
}

/** A first sign-in with a provider, then the profile: the new account's tokens. */
export async function signUpWith(provider: string, body: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const first = await oauthSignIn(provider, body);
  expect(first.status, JSON.stringify(first.body)).to.equal(202);
  const done = await (
    await api()
  )
    .post(`${OAUTH}/complete`)
    .set('X-Forwarded-For', freshIp())
    .send({ signupToken: first.body.signupToken, ...missingProfile(), ...extra });
  expect(done.status, JSON.stringify(done.body)).to.equal(201);
  return { id: done.body.user.id as string, accessToken: done.body.accessToken as string, user: done.body.user };
}

export async function signInMethods(accessToken: string) {
  const res = await (await api()).get(OAUTH).set(bearer(accessToken));
  expect(res.status).to.equal(200);
  return res.body as { password: boolean; providers: { provider: string }[] };
}
