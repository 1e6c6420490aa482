import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import mongoose from 'mongoose';
import { User } from '../models/user.model.js';
import { coarsePoint, geoCellsOf } from '../utils/geo.js';
import { api } from './support/app.js';
import { expectDocumented } from './support/openapi.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

const SEARCH = '/api/v1/users/search';
const as = (u: SignedUp) => bearer(u.accessToken);
/** Letters only, unique per call: names and tags no other test uses. */
const word = () => Array.from({ length: 8 }, () => String.fromCharCode(97 + randomInt(26))).join('');

async function search(u: SignedUp, query: Record<string, string | number>) {
  const res = await (await api()).get(SEARCH).set(as(u)).query(query);
  if (res.status === 200) expectDocumented(res, 'get', SEARCH);
  return res;
}
const usernamesOf = (res: { body: { users: { username: string }[] } }) => res.body.users.map((u) => u.username).sort();
const names = (...users: SignedUp[]) => users.map((u) => u.input.username).sort();

/** A point on a rarely used part of the map, so only this test's users are near it. */
const randomPoint = () => ({ lat: randomInt(-50_000, 50_000) / 1000, lng: randomInt(-170_000, 170_000) / 1000 });
const offsetKm = (p: { lat: number; lng: number }, northKm: number, eastKm = 0) => ({
  lat: p.lat + northKm / 110.574,
  lng: p.lng + eastKm / (111.32 * Math.cos((p.lat * Math.PI) / 180)),
});
const located = (point: { lat: number; lng: number }, extra: Record<string, unknown> = {}) =>
  signupUser({ location: point, locationConsent: true, ...extra });

describe('search', () => {
  it('finds by name or username prefix, ignoring case and accents', async () => {
    const last = word();
    const [zoe, other, me] = await Promise.all([
      signupUser({ firstName: 'Zoë', lastName: last }),
      signupUser({ firstName: 'Anna', lastName: `${last}x` }),
      signupUser(),
    ]);
    expect(usernamesOf(await search(me, { q: `ZOE ${last.slice(0, 3)}` }))).to.deep.equal(names(zoe));
    expect(usernamesOf(await search(me, { q: last.toUpperCase() }))).to.deep.equal(names(zoe, other));
    expect(usernamesOf(await search(me, { q: `${last}x` }))).to.deep.equal(names(other));
    expect(usernamesOf(await search(me, { q: zoe.input.username.slice(0, 9) }))).to.deep.equal(names(zoe));
    const res = await search(me, { q: last });
    expect(Object.keys(res.body.users[0])).to.not.include.members(['email', 'phone', 'dateOfBirth', 'location']);
  });

  it('matches names longer than the stored prefixes exactly', async () => {
    const last = word() + word() + word(); // 24 letters
    const [long, me] = await Promise.all([signupUser({ firstName: 'Ann', lastName: last }), signupUser()]);
    expect(usernamesOf(await search(me, { q: last }))).to.deep.equal(names(long));
    expect(usernamesOf(await search(me, { q: `${last.slice(0, 22)}zz` }))).to.deep.equal([]);
  });

  it('combines interests (any of), age, gender and preference', async () => {
    const [tag, tag2] = [word(), word()];
    const [a26, b36, c46, d36m, e36f, me] = await Promise.all([
      signupUser({ interests: [tag], dateOfBirth: '2000-06-01', gender: 'female' }),
      signupUser({ interests: [tag], dateOfBirth: '1990-06-01', gender: 'female' }),
      signupUser({ interests: [tag2], dateOfBirth: '1980-06-01', gender: 'female' }),
      signupUser({ interests: [tag], dateOfBirth: '1990-06-01', gender: 'male' }),
      signupUser({ interests: [tag], dateOfBirth: '1990-06-01', gender: 'female', preference: 'friendship' }),
      signupUser(),
    ]);
    expect(usernamesOf(await search(me, { interests: tag }))).to.deep.equal(names(a26, b36, d36m, e36f));
    expect(usernamesOf(await search(me, { interests: `${tag},${tag2}`, minAge: 30 }))).to.deep.equal(names(b36, c46, d36m, e36f));
    expect(usernamesOf(await search(me, { interests: `${tag},${tag2}`, minAge: 30, maxAge: 40 }))).to.deep.equal(
      names(b36, d36m, e36f),
    );
    expect(usernamesOf(await search(me, { interests: tag, maxAge: 40, gender: 'female', preference: 'dating' }))).to.deep.equal(
      names(a26, b36),
    );
    const res = await search(me, { interests: tag, gender: 'male' });
    expect(res.body.users[0].age).to.equal(36);
  });

  it('filters by distance band, across the antimeridian too, and never shows coordinates', async () => {
    const home = randomPoint();
    const [near, mid, far, hidden, me] = await Promise.all([
      located(offsetKm(home, 3)),
      located(offsetKm(home, -20, 30)),
      located(offsetKm(home, 0, 60)),
      located(offsetKm(home, 1)),
      located(home),
    ]);
    await User.updateOne({ _id: hidden.id }, { $set: { 'settings.privacy.showDistance': false } });
    const res = await search(me, { maxDistanceKm: 50 });
    expect(usernamesOf(res)).to.deep.equal(names(near, mid));
    expect(res.body.users.find((u: { username: string }) => u.username === near.input.username).distance).to.equal('1-5 km');
    expect(JSON.stringify(res.body)).not.to.match(/"lat"|"lng"|location/);
    expect(usernamesOf(await search(me, { maxDistanceKm: 100 }))).to.deep.equal(names(near, mid, far));

    const east = await located({ lat: 10, lng: 179.95 });
    const west = await located({ lat: 10.05, lng: -179.9 });
    expect(usernamesOf(await search(east, { maxDistanceKm: 30 }))).to.include(west.input.username);

    const nowhere = await signupUser();
    const noLocation = await search(nowhere, { maxDistanceKm: 10 });
    expect([noLocation.status, noLocation.body.error.code]).to.deep.equal([400, 'LOCATION_REQUIRED']);
  });

  it('excludes the searcher, blocks both ways, banned and hidden accounts, and age-hiders from age filters', async () => {
    const tag = word();
    const [me, blockedByMe, blockedMe, banned, invisible, ageHider, visible] = await Promise.all(
      Array.from({ length: 7 }, () => signupUser({ interests: [tag], dateOfBirth: '1995-01-01' })),
    );
    await (await api()).post(`/api/v1/users/${blockedByMe!.id}/block`).set(as(me!)).expect(204);
    await (await api()).post(`/api/v1/users/${me!.id}/block`).set(as(blockedMe!)).expect(204);
    await User.updateOne({ _id: banned!.id }, { $set: { bannedAt: new Date() } });
    await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(invisible!))
      .send({ settings: { privacy: { discoverable: false } } })
      .expect(200);
    await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(ageHider!))
      .send({ settings: { privacy: { showAge: false } } })
      .expect(200);
    expect(usernamesOf(await search(me!, { interests: tag }))).to.deep.equal(names(ageHider!, visible!));
    expect(usernamesOf(await search(me!, { interests: tag, minAge: 18 }))).to.deep.equal(names(visible!));
    // And the other way round: the people I blocked, or who blocked me, do not find me.
    expect(usernamesOf(await search(blockedByMe!, { interests: tag }))).to.not.include(me!.input.username);
    expect(usernamesOf(await search(blockedMe!, { interests: tag }))).to.not.include(me!.input.username);
  });

  it('pages by cursor with a capped page size, newest first, each person once', async () => {
    const tag = word();
    const people = [];
    for (let i = 0; i < 7; i++) people.push(await signupUser({ interests: [tag] }));
    const me = await signupUser();
    const seen: string[] = [];
    let cursor: string | null | undefined;
    const sizes: number[] = [];
    do {
      const res = await search(me, { interests: tag, limit: 3, ...(cursor ? { cursor } : {}) });
      expect(res.status).to.equal(200);
      sizes.push(res.body.users.length);
      seen.push(...res.body.users.map((u: { id: string }) => u.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(sizes.slice(0, 3)).to.deep.equal([3, 3, 1]);
    expect(seen).to.deep.equal(people.map((p) => p.id).reverse());

    for (const limit of ['0', '51', '1000', '-1', 'ten']) {
      const res = await search(me, { interests: tag, limit });
      expect([res.status, res.body.error.code], limit).to.deep.equal([400, 'VALIDATION_FAILED']);
    }
  });

  it('treats hostile input as text or refuses it with a clear 400', async () => {
    const me = await signupUser();
    for (const q of ['.*', '^a|b$', '((((', '\\d+', '[a-z]+', "'; db.users.drop()", '$where']) {
      const res = await search(me, { q });
      expect(res.status, q).to.equal(200);
      expect(res.body.users, q).to.deep.equal([]);
    }
    const refused: [string, string][] = [
      [`q=${'a'.repeat(10 * 1024)}`, 'VALIDATION_FAILED'],
      ['q[$ne]=x', 'VALIDATION_FAILED'],
      ['q=a', 'VALIDATION_FAILED'],
      ['q=ab&q=cd', 'REPEATED_QUERY_PARAMETER'],
      ['interests=a,b,c,d,e,f', 'VALIDATION_FAILED'],
      ['q=ann&cursor=nope', 'VALIDATION_FAILED'],
      ['q=ann&maxDistanceKm=501', 'VALIDATION_FAILED'],
      ['q=ann&gender=robot', 'VALIDATION_FAILED'],
      ['q=ann&minAge=40&maxAge=30', 'INVALID_AGE_RANGE'],
      ['q=ann&role=admin', 'VALIDATION_FAILED'],
      ['minAge=20', 'SEARCH_TOO_BROAD'],
    ];
    for (const [query, code] of refused) {
      const res = await (await api()).get(`${SEARCH}?${query}`).set(as(me));
      expect([res.status, res.body.error?.code], query.slice(0, 40)).to.deep.equal([400, code]);
      expectDocumented(res, 'get', SEARCH);
    }
    expect((await (await api()).get(`${SEARCH}?q=ann`)).status).to.equal(401);
  });

  it('keeps the stored search keys in step with names and location', async () => {
    const u = await signupUser({ firstName: 'Ada', location: { lat: 51.5, lng: -0.12 }, locationConsent: true });
    const before = await User.findById(u.id, { searchPrefixes: 1, geoCells: 1 }).lean();
    expect(before?.searchPrefixes).to.include.members(['ad', 'ada', 'ada lovelace'.slice(0, 6)]);
    expect(before?.geoCells).to.deep.equal(geoCellsOf(coarsePoint({ lat: 51.5, lng: -0.12 })));
    await (await api()).patch('/api/v1/users/me').set(as(u)).send({ firstName: 'Grace', locationConsent: false }).expect(200);
    const after = await User.findById(u.id, { searchPrefixes: 1, geoCells: 1 }).lean();
    expect(after?.searchPrefixes).to.include('grace lo').and.not.include('ada l');
    expect(after?.geoCells ?? []).to.deep.equal([]);
  });
});

describe('search query plans', () => {
  /** The filters of every users.find the app runs while `fn` does. */
  async function capturedUserFinds(fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
    const filters: Record<string, unknown>[] = [];
    mongoose.set('debug', (collection: string, method: string, filter: unknown) => {
      if (collection === 'users' && method === 'find') filters.push(filter as Record<string, unknown>);
    });
    try {
      await fn();
    } finally {
      mongoose.set('debug', false);
    }
    return filters;
  }

  /** Served by an index: IXSCAN on MongoDB, a (bitmap) index scan in FerretDB's PostgreSQL plan. */
  const usesIndex = (plan: unknown) => /IXSCAN|Index Scan|Index Only Scan/.test(JSON.stringify(plan));

  // PostgreSQL (under FerretDB) rightly scans a tiny table; at a realistic size it must not.
  before(async () => {
    const run = word();
    await User.collection.insertMany(
      Array.from({ length: 3000 }, (_, i) => ({
        username: `filler_${run}_${i}`,
        email: `filler-${run}-${i}@example.com`,
        firstName: 'Filler',
        lastName: run,
        searchPrefixes: [`fi${i % 50}`],
        interests: [`filler${i % 40}`],
        geoCells: [`g0:${i}:${i}`],
        settings: { privacy: { discoverable: false } },
      })),
    );
  });

  it('runs every search query on an index, whatever the filters', async () => {
    const tag = word();
    const home = randomPoint();
    const me = await located(home);
    await Promise.all([located(offsetKm(home, 2), { interests: [tag] }), located(offsetKm(home, 4), { firstName: 'Orla' })]);
    const queries: Record<string, string | number>[] = [
      { q: 'orla', interests: tag, minAge: 20, maxAge: 60, maxDistanceKm: 25, gender: 'female', preference: 'dating', limit: 5 },
      { interests: `${tag},${word()}`, minAge: 20, maxDistanceKm: 25, gender: 'female' },
      { maxDistanceKm: 300, maxAge: 60, preference: 'dating' },
      { q: `${word()}${word()}${word()}` },
    ];
    for (const query of queries) {
      const filters = await capturedUserFinds(() => search(me, query).then((r) => expect(r.status).to.equal(200)));
      const searches = filters.filter((f) => '_id' in f && typeof f._id === 'object');
      expect(searches.length, JSON.stringify(query)).to.be.greaterThan(0);
      for (const filter of searches) {
        const plan = await User.collection.find(filter).sort({ _id: -1 }).limit(20).explain();
        expect(
          usesIndex(plan),
          `${JSON.stringify(filter)} scans the collection: ${JSON.stringify(plan).slice(0, 1500)}`,
        ).to.equal(true);
      }
    }
  });
});
