import { expect } from 'chai';
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
