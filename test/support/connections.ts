import { expect } from 'chai';
import { api } from './app.js';
import { bearer, type SignedUp } from './users.js';

/** A swipe over HTTP: POST /connections/:userId. */
export async function swipeAs(from: SignedUp, to: { id: string }, action: 'interested' | 'ignored') {
  return (await api()).post(`/api/v1/connections/${to.id}`).set(bearer(from.accessToken)).send({ action });
}

/** Two people connected: one asks, the other says yes by swiping back. */
export async function connect(a: SignedUp, b: SignedUp) {
  expect((await swipeAs(a, b, 'interested')).status).to.equal(201);
  const back = await swipeAs(b, a, 'interested');
  expect([back.status, back.body.matched]).to.deep.equal([200, true]);
  return back.body.connection as { id: string };
}
