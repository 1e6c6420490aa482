import { expect } from 'chai';
import type supertest from 'supertest';
import type { Response } from 'supertest';
import { QuotaCounter } from '../../models/quota-counter.model.js';
import { utcDay } from '../../utils/clock.js';
import { expectDocumented } from './openapi.js';

/**
 * A refusal of nginx's question before an upload (GET .../check), as documented at `path`: its
 * status and code, once the same JSON is seen in X-Error-Body (what nginx answers with).
 */
export const uploadCheckRefusal = (path: string) => (res: Response) => {
  expectDocumented(res, 'get', path);
  expect(res.status, JSON.stringify(res.body)).to.be.at.least(400);
  expect(JSON.parse(res.headers['x-error-body'] as string)).to.deep.equal(res.body);
  expect(res.headers['x-error-code']).to.equal(res.body.error.code);
  return [res.status, res.body.error.code];
};

/** How much of a day's reading (what nginx may read of one account's uploads) is taken today. */
export const readingOf = async (counter: 'chatReads' | 'pictureReads', userId: string) =>
  (await QuotaCounter.findById(`${counter}:${userId}:${utcDay(new Date())}`).lean())?.used;

/** Sets how much of today's reading other uploads took (the day's counter, made if need be). */
export async function setReading(counter: 'chatReads' | 'pictureReads', userId: string, used: number): Promise<void> {
  const day = utcDay(new Date());
  await QuotaCounter.updateOne(
    { _id: `${counter}:${userId}:${day}` },
    { $set: { used }, $setOnInsert: { userId, day } },
    { upsert: true },
  );
}

/**
 * nginx's question before a profile photo (avatar), as nginx asks it of `app`: the sender's
 * token, the length the upload says, nginx's id for the upload (trusted from loopback).
 */
export const photoCheckAsNginx = (app: ReturnType<typeof supertest>, accessToken: string, length: number, requestId: string) =>
  app
    .get('/api/v1/users/me/photos/check?target=avatar')
    .set('Authorization', `Bearer ${accessToken}`)
    .set('X-Upload-Length', String(length))
    .set('X-Request-Id', requestId);

/** nginx telling `app` that the upload it knows as `requestId` found no place and was not read. */
export const unreadAsNginx = (app: ReturnType<typeof supertest>, accessToken: string, requestId: string) =>
  app.get('/api/v1/uploads/unread').set('Authorization', `Bearer ${accessToken}`).set('X-Request-Id', requestId);
