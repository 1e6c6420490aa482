import { expect } from 'chai';
import type supertest from 'supertest';
import { User } from '../../models/user.model.js';
import { jpeg, png } from './images.js';
import { bearer, type SignedUp } from './users.js';

export const PHOTOS = '/api/v1/users/me/photos';

/** Every storage object the user's pictures hold, as stored. */
export async function storedObjects(userId: string): Promise<string[]> {
  const user = await User.findById(userId, { avatar: 1, gallery: 1 }).lean();
  return [user?.avatar, ...(user?.gallery ?? [])].flatMap((p) => p?.objects ?? []);
}

/** Uploads an avatar through the API, then another: returns the objects of each. */
export async function replaceAvatar(app: ReturnType<typeof supertest>, u: SignedUp) {
  const first = await app
    .post(`${PHOTOS}?target=avatar`)
    .set(bearer(u.accessToken))
    .attach('photo', await jpeg(), 'a.jpg');
  expect(first.status, JSON.stringify(first.body)).to.equal(201);
  const before = await storedObjects(u.id);
  const second = await app
    .post(`${PHOTOS}?target=avatar`)
    .set(bearer(u.accessToken))
    .attach('photo', await png(), 'b.png');
  expect(second.status, JSON.stringify(second.body)).to.equal(201);
  return { before, after: await storedObjects(u.id) };
}
