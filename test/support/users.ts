import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { User } from '../../models/user.model.js';
import { api, freshIp } from './app.js';

let counter = 0;

export function newSignup(overrides: Record<string, unknown> = {}) {
  const tag = `${randomBytes(3).toString('hex')}${++counter}`;
  return {
    firstName: 'Ada',
    lastName: 'Lovelace',
    gender: 'female',
    dateOfBirth: '1995-12-10',
    email: `ada.${tag}@example.com`,
    // Unique within the run by the counter (a random 7-digit number collided now and then
    // among a run's thousands of sign-ups), apart from other runs by the process and chance.
    phone: `+1${String(process.pid % 1000).padStart(3, '0')}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}${String(counter).padStart(6, '0')}`,
    username: `ada_${tag}`,
    password: 'correct horse battery',
    preference: 'dating',
    interests: ['Rust', 'hiking'],
    ...overrides,
  };
}

export interface SignedUp {
  id: string;
  input: ReturnType<typeof newSignup>;
  accessToken: string;
  refreshToken: string;
  cookies: string[];
}

/** Signs a new user up over HTTP and returns the tokens and cookies it got. */
export async function signupUser(overrides: Record<string, unknown> = {}): Promise<SignedUp> {
  const input = newSignup(overrides);
  const res = await (await api()).post('/api/v1/auth/signup').set('X-Forwarded-For', freshIp()).send(input);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return {
    id: res.body.user.id,
    input,
    accessToken: res.body.accessToken,
    refreshToken: res.body.refreshToken,
    cookies: cookiesOf(res),
  };
}

/** The Set-Cookie headers as `name=value` pairs, ready for a Cookie header. */
export function cookiesOf(res: { headers: Record<string, unknown> }): string[] {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  return list.map((c) => c.split(';')[0]!).filter((c) => !c.endsWith('='));
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A signed-up user given a staff role, signed in again so the token carries it. */
export async function staffUser(role: 'moderator' | 'admin'): Promise<SignedUp> {
  const u = await signupUser();
  await User.updateOne({ _id: u.id }, { $set: { role } });
  const res = await (
    await api()
  )
    .post('/api/v1/auth/login')
    .set('X-Forwarded-For', freshIp())
    .send({ identifier: u.input.email, password: u.input.password });
  expect(res.status).to.equal(200);
  return { ...u, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
}

/**
 * A user the platform trusts as a reporter: address verified and an account older than
 * the trust age (set in the database; the verification mail path has tests of its own).
 */
export async function trustedUser(overrides: Record<string, unknown> = {}): Promise<SignedUp> {
  const u = await signupUser(overrides);
  const { Types } = await import('mongoose');
  await User.collection.updateOne(
    { _id: new Types.ObjectId(u.id) },
    { $set: { emailVerified: true, createdAt: new Date(Date.now() - 90 * 86_400_000) } },
  );
  return u;
}
