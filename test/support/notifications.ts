import { expect } from 'chai';
import type { NotificationView } from '../../services/notifications/notification.service.js';
import { api } from './app.js';
import type { OnTheWire } from './chat.js';
import { eventually } from './eventually.js';
import { bearer, type SignedUp } from './users.js';

export const NOTIFICATIONS = '/api/v1/notifications';
export type Notice = OnTheWire<NotificationView>;

/** A page of `u`'s notices, as their app reads it. */
export async function noticesOf(u: SignedUp, query = '') {
  const res = await (await api()).get(`${NOTIFICATIONS}${query}`).set(bearer(u.accessToken));
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body as { items: Notice[]; nextCursor: string | null; unread: number };
}

export const ofType = async (u: SignedUp, type: string) => (await noticesOf(u)).items.filter((n) => n.type === type);

/** Until `u` has a notice of `type` (notices are written just after the act's answer); the newest one. */
export async function heard(u: SignedUp, type: string): Promise<Notice> {
  let found: Notice | undefined;
  await eventually(async () => Boolean((found = (await ofType(u, type))[0])), 3000, `a ${type} notice`);
  return found!;
}
