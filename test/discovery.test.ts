import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import { User } from '../models/user.model.js';
import { ageOn } from '../utils/age.js';
import mongoose, { Types } from 'mongoose';
import { Connection, pairKeyOf } from '../models/connection.model.js';
import { setPlan } from '../services/connections/quota.service.js';
import { api, freshIp } from './support/app.js';
import { eventually } from './support/eventually.js';
import { connect, swipeAs } from './support/connections.js';
import { expectDocumented } from './support/openapi.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const DISCOVER = '/api/v1/discover';

/** A spot of the map no other test uses, and points some km north of it. */
const home = () => ({ lat: randomInt(-50_000, 50_000) / 1000, lng: randomInt(-170_000, 170_000) / 1000 });
const north = (p: { lat: number; lng: number }, km: number) => ({ lat: p.lat + km / 110.574, lng: p.lng });
const word = () => Array.from({ length: 8 }, () => String.fromCharCode(97 + randomInt(26))).join('');

async function feed(u: SignedUp, query: Record<string, string | number> = {}) {
  const res = await (await api()).get(DISCOVER).set(as(u)).query(query);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  expectDocumented(res, 'get', DISCOVER);
  return res.body as { profiles: { id: string; distance?: string }[]; nextCursor: string | null };
}
const ids = (page: { profiles: { id: string }[] }) => page.profiles.map((p) => p.id);

describe('discovery', () => {
  it('shows people who fit both ways, best first, and nobody it must not', async () => {
    const spot = home();
    const [tagA, tagB] = [word(), word()];
    const near = (km: number, extra: Record<string, unknown> = {}) =>
      signupUser({ location: north(spot, km), locationConsent: true, interests: [tagA, tagB], ...extra });
    const me = await near(0, { gender: 'female', dateOfBirth: '1995-01-01' });
    const [
      best,
      plain,
      far,
      otherPreference,
      iSwiped,
      swipedMe,
      friend,
      blockedByMe,
      blockedMe,
      banned,
      hidden,
      notMyGender,
      tooOld,
      shortRange,
    ] = await Promise.all([
      near(7),
      near(3, { interests: ['elsewhere'] }),
      near(150),
      near(2, { preference: 'friendship' }),
      near(2),
      near(2),
      near(2),
      near(2),
      near(2),
      near(2),
      near(2),
      near(2),
      near(2),
      near(40),
    ]);
    await swipeAs(me, iSwiped!, 'ignored');
    await swipeAs(swipedMe!, me, 'interested');
    await connect(me, friend!);
    await (await api()).post(`/api/v1/users/${blockedByMe!.id}/block`).set(as(me)).expect(204);
    await (await api()).post(`/api/v1/users/${me.id}/block`).set(as(blockedMe!)).expect(204);
    await User.updateOne({ _id: banned!.id }, { $set: { bannedAt: new Date() } });
    await User.updateOne({ _id: hidden!.id }, { $set: { 'settings.privacy.discoverable': false } });
    // Their side of the fit: they look for men only, for people under 25, or within 10 km.
    await User.updateOne({ _id: notMyGender!.id }, { $set: { 'lookingFor.genders': ['male'] } });
    await User.updateOne({ _id: tooOld!.id }, { $set: { 'lookingFor.maxAge': 25 } });
    await User.updateOne({ _id: shortRange!.id }, { $set: { 'lookingFor.maxDistanceKm': 10 } });

    const page = await feed(me);
    expect(ids(page)).to.deep.equal([best!.id, plain!.id]);
    expect(page.profiles[0]!.distance).to.equal('5-10 km');
    expect(JSON.stringify(page), 'no ranking score').not.to.match(/score/);
    expect(JSON.stringify(page)).not.to.match(/"lat"|email|dateOfBirth/);
    expect(page.nextCursor).to.equal(null);
    expect(ids(await feed(far!))).to.not.include(me.id);
    expect(ids(await feed(otherPreference!))).to.not.include(me.id);

    // My own limits: only men now (nobody here), then 200 km brings the far one in (who accepts 300).
    await User.updateOne({ _id: far!.id }, { $set: { 'lookingFor.maxDistanceKm': 300 } });
    await User.updateOne({ _id: me.id }, { $set: { 'lookingFor.genders': ['male'] } });
    expect(ids(await feed(me))).to.deep.equal([]);
    await User.updateOne({ _id: me.id }, { $set: { 'lookingFor.genders': [], 'lookingFor.maxDistanceKm': 200 } });
    expect(ids(await feed(me))).to.include(far!.id);
  });

  it('keeps someone who passed on me in my deck until I swipe: leaving it would tell me they passed', async () => {
    const spot = home();
    const tag = word();
    const near = () => signupUser({ location: north(spot, 2), locationConsent: true, interests: [tag] });
    const [me, passer, other] = await Promise.all([near(), near(), near()]);
    expect((await swipeAs(passer, me, 'ignored')).status).to.equal(201);
    expect(ids(await feed(me))).to.have.members([passer.id, other.id]);
    expect(ids(await feed(passer))).to.deep.equal([other.id]);
    // My swipe goes nowhere; then neither of us sees the other again.
    expect((await swipeAs(me, passer, 'ignored')).status).to.equal(201);
    expect(ids(await feed(me))).to.deep.equal([other.id]);
    expect(ids(await feed(passer))).to.deep.equal([other.id]);
  });

  it('an add by address leaves my deck as it was, passed on, declined or not; a pass on a known pair keeps decks as they were', async () => {
    const spot = home();
    const tag = word();
    const near = () => signupUser({ location: north(spot, 2), locationConsent: true, interests: [tag] });
    const [me, passer, stranger, decliner, former, other] = await Promise.all([near(), near(), near(), near(), near(), near()]);
    await setPlan(me.id, 'premium', new Date(Date.now() + 86_400_000));
    const client = await api();
    const add = (u: SignedUp) =>
      client.post('/api/v1/contacts').set(as(me)).set('X-Forwarded-For', freshIp()).send({ email: u.input.email }).expect(202);
    const made = (u: SignedUp) =>
      eventually(async () => Boolean(await Connection.exists({ senderId: me.id, receiverId: u.id, via: 'contact' })));

    // Someone who passed on me and someone who never acted: an add of either address takes them out of my deck alike.
    const passed = (await swipeAs(passer, me, 'ignored')).body.connection;
    await add(passer);
    await add(stranger);
    await Promise.all([made(passer), made(stranger)]);
    // Both stay in my deck, as anyone whose address I do not hold: leaving it would name who uses the address.
    const deck = ids(await feed(me));
    expect(deck).to.include.members([passer.id, stranger.id]);
    // To the passer it is still their own pass.
    expect((await swipeAs(passer, me, 'ignored')).body.connection).to.deep.equal(passed);

    // A pass after a declined add by address, or on a past connection: they knew of the pair,
    // and their deck keeps me out as before (as it would after a like).
    await add(decliner);
    await made(decliner);
    const asked = await client.get('/api/v1/connections/requests/received').set(as(decliner));
    await client
      .post(`/api/v1/connections/requests/${asked.body.items[0].id}`)
      .set(as(decliner))
      .send({ action: 'rejected' })
      .expect(200);
    // Declined or not, the one I asked by address stays in my deck until I swipe.
    expect(ids(await feed(me))).to.include(decliner.id);
    // Accepted, a request by address is a connection like any other: out of both decks, and so once removed.
    await client
      .post(
        `/api/v1/connections/requests/${(await client.get('/api/v1/connections/requests/received').set(as(stranger))).body.items[0].id}`,
      )
      .set(as(stranger))
      .send({ action: 'accepted' })
      .expect(200);
    expect(ids(await feed(me))).to.not.include(stranger.id);
    await client.delete(`/api/v1/connections/${stranger.id}`).set(as(me)).expect(204);
    expect(ids(await feed(me))).to.not.include(stranger.id);
    await connect(me, former);
    await client.delete(`/api/v1/connections/${former.id}`).set(as(me)).expect(204);
    for (const u of [decliner, former]) {
      expect(ids(await feed(u)), u.input.firstName).to.not.include(me.id);
      expect((await swipeAs(me, u, 'ignored')).status).to.equal(201);
      expect(ids(await feed(u)), u.input.firstName).to.not.include(me.id);
    }
    expect(ids(await feed(other))).to.include(me.id);
  });

  it('never lists someone who hides their age for a narrowed age range: being listed for "exactly N" would tell it', async () => {
    const spot = home();
    const tag = word();
    const near = (extra: Record<string, unknown>) =>
      signupUser({ location: north(spot, 2), locationConsent: true, interests: [tag], ...extra });
    const [me, showing, hiding] = await Promise.all([
      near({ dateOfBirth: '1990-01-01' }),
      near({ dateOfBirth: '1992-06-01' }),
      near({ dateOfBirth: '1992-06-01' }),
    ]);
    await User.updateOne({ _id: hiding.id }, { $set: { 'settings.privacy.showAge': false } });
    const age = ageOn(new Date('1992-06-01'));
    const lookFor = (minAge: number, maxAge: number) =>
      api().then((c) => c.patch('/api/v1/users/me').set(as(me)).send({ lookingFor: { minAge, maxAge } }).expect(200));

    for (const [minAge, maxAge] of [
      [age, age],
      [age - 1, age + 1],
      [18, age],
    ] as const) {
      await lookFor(minAge, maxAge);
      expect(ids(await feed(me)), `${minAge}-${maxAge}`).to.deep.equal([showing.id]);
    }
    await lookFor(age + 1, 120);
    expect(ids(await feed(me))).to.deep.equal([]);
    // The whole range filters nobody: both are there, the hider without an age.
    await lookFor(18, 120);
    const page = await feed(me);
    expect(ids(page)).to.have.members([showing.id, hiding.id]);
    const card = page.profiles.find((p) => p.id === hiding.id) as Record<string, unknown>;
    expect(card).not.to.have.property('age');
  });

  it('pages by cursor and says "no more" only when everyone has been swiped', async () => {
    const spot = home();
    const tag = word();
    const me = await signupUser({ location: spot, locationConsent: true, interests: [tag] });
    // One person per distance band, so "nearest first" is an order of bands.
    const people = await Promise.all(
      [3, 7, 15, 35, 70].map((km) => signupUser({ location: north(spot, km), locationConsent: true, interests: [tag] })),
    );
    const first = await feed(me, { limit: 2 });
    expect(first.profiles).to.have.length(2);
    const second = await feed(me, { limit: 2, cursor: first.nextCursor! });
    const third = await feed(me, { limit: 2, cursor: second.nextCursor! });
    expect(third.nextCursor).to.equal(null);
    const seen = [...ids(first), ...ids(second), ...ids(third)];
    expect([...seen].sort()).to.deep.equal(people.map((p) => p.id).sort());
    // Nearest first when interests tie.
    expect(seen).to.deep.equal(people.map((p) => p.id));

    for (const p of people.slice(0, 4)) await swipeAs(me, p, 'ignored');
    expect(ids(await feed(me))).to.deep.equal([people[4]!.id]);
    await swipeAs(me, people[4]!, 'interested');
    expect(await feed(me)).to.deep.equal({ profiles: [], nextCursor: null });

    const forged = Buffer.from(`999:${people[4]!.id}`).toString('base64url');
    for (const cursor of ['nope', Buffer.from('1:xyz').toString('base64url'), forged, 'a'.repeat(301)]) {
      const res = await (await api()).get(DISCOVER).set(as(me)).query({ cursor });
      expect(res.status, cursor).to.equal(400);
    }
    expect((await (await api()).get(DISCOVER).set(as(me)).query({ limit: 31 })).status).to.equal(400);
  });

  it("keeps a heavy swiper's deck full, and asks no more of the database for thousands of swipes than for a few", async () => {
    // At a corner of four grid cells (one degree), so the deck reads four cells at once.
    const h = home();
    const corner = { lat: Math.round(h.lat), lng: Math.round(h.lng) };
    const tag = word();
    const at = (dLat: number, dLng: number) =>
      signupUser({ location: { lat: corner.lat + dLat, lng: corner.lng + dLng }, locationConsent: true, interests: [tag] });
    const near = () => at(0.02, 0.02);
    const [me, heavy, quiet, quieter, passer, passedHeavy, askedByAddress, declined] = await Promise.all([
      near(),
      near(),
      near(),
      near(),
      near(),
      near(),
      near(),
      near(),
    ]);
    // In each of the four cells, more than two pages of people, all more active than the two
    // nobody swiped: clones of a neighbour there, each with its own id and names.
    const templates = await Promise.all([at(0.03, 0.03), at(-0.03, 0.03), at(0.03, -0.03), at(-0.03, -0.03)]);
    const now = Date.now();
    const clones = (await User.find({ _id: { $in: templates.map((t) => t.id) } }).lean()).flatMap((source) =>
      Array.from({ length: 90 }, (_, i) => {
        const { _id: _omit, phone: _phone, ...rest } = source;
        void _omit;
        void _phone;
        const _id = new Types.ObjectId();
        return {
          ...rest,
          _id,
          email: `${String(_id)}@clone.test`,
          username: `clone${String(_id)}`,
          lastActiveAt: new Date(now - i),
        };
      }),
    );
    expect(new Set(clones.map((c) => JSON.stringify(c.geoCells))).size).to.equal(4);
    await User.collection.insertMany(clones);
    const daysAgo = (d: number) => new Date(now - d * 86_400_000);
    const active = [...templates, passer, me, heavy, passedHeavy, askedByAddress, declined].map((u) => u.id);
    await User.updateMany({ _id: { $in: active } }, { $set: { lastActiveAt: new Date(now) } });
    await User.updateOne({ _id: quiet.id }, { $set: { lastActiveAt: daysAgo(3) } });
    await User.updateOne({ _id: quieter.id }, { $set: { lastActiveAt: daysAgo(40) } });
    const record = (from: string, to: string, status: 'interested' | 'ignored' | 'rejected', extra = {}) => ({
      pairKey: pairKeyOf(from, to),
      memberIds: [from, to].sort().map((id) => new Types.ObjectId(id)),
      senderId: new Types.ObjectId(from),
      receiverId: new Types.ObjectId(to),
      status,
      createdAt: new Date(),
      updatedAt: new Date(),
      ...extra,
    });
    const swipedNear = [...clones.map((c) => String(c._id)), ...templates.map((t) => t.id)];
    // Both swiped every clone and the neighbour; the heavy swiper first thousands of people
    // elsewhere. The passer passed on me (which I must not learn).
    await Connection.collection.insertMany(
      Array.from({ length: 2500 }, () => record(heavy.id, String(new Types.ObjectId()), 'ignored')),
    );
    await Connection.collection.insertMany([
      ...swipedNear.flatMap((id) => [record(me.id, id, 'interested'), record(heavy.id, id, 'interested')]),
      record(passer.id, me.id, 'ignored'),
    ]);
    // Past the records read with the heavy swiper's (read in the order stored here), the rules
    // of the deck as for anyone: someone's pass on them and their own request by address keep
    // people in; a request of theirs declined takes someone out.
    await Connection.collection.insertMany([
      record(passedHeavy.id, heavy.id, 'ignored'),
      record(heavy.id, askedByAddress.id, 'interested', { via: 'contact' }),
      record(heavy.id, declined.id, 'rejected'),
    ]);

    /** Every card, page after page, with what each request asked of the database. */
    const wholeDeck = async (u: SignedUp) => {
      const cards: string[] = [];
      const requests: { collection: string; query: string }[][] = [];
      let cursor: string | null = null;
      do {
        const asked: { collection: string; query: string }[] = [];
        mongoose.set('debug', (collection: string, method: string, filter: unknown, options: unknown) => {
          if (method.startsWith('find')) asked.push({ collection, query: JSON.stringify([filter, options]) });
        });
        try {
          const page = await feed(u, cursor ? { cursor } : {});
          cards.push(...ids(page));
          cursor = page.nextCursor;
        } finally {
          mongoose.set('debug', false);
        }
        requests.push(asked);
      } while (cursor && requests.length < 10);
      return { cards, requests };
    };
    const mine = await wholeDeck(me);
    const others = [passedHeavy.id, askedByAddress.id, declined.id];
    expect(mine.cards).to.have.members([passer.id, quiet.id, quieter.id, heavy.id, ...others]);
    expect(mine.requests).to.have.length(1);
    const heavys = await wholeDeck(heavy);
    const heavyDeck = [passer.id, quiet.id, quieter.id, me.id, passedHeavy.id, askedByAddress.id];
    expect(heavys.cards).to.have.members(heavyDeck);
    // No list of every swipe sent with the queries, no read of them all, no unbounded asking.
    for (const asked of heavys.requests) {
      expect(Math.max(...asked.map((q) => q.query.length)), 'the largest query').to.be.below(20_000);
      expect(asked.filter((q) => q.collection === 'connections').length).to.be.at.most(801);
    }
    // A swipe made now is seen at once, however it is looked up.
    await swipeAs(heavy, quiet, 'ignored');
    expect((await wholeDeck(heavy)).cards).to.have.members(heavyDeck.filter((id) => id !== quiet.id));
  });

  it('tells nobody more than the band: no score, stored cells not points, radii that cannot be bisected, nothing of hiders', async () => {
    // Well inside one region (a 1-degree cell), so the hider 7.3 km north shares the attacker's.
    const h = home();
    const spot = { lat: Math.floor(h.lat) + 0.3, lng: Math.floor(h.lng) + 0.5 };
    const tag = word();
    const at = (km: number, extra: Record<string, unknown> = {}) =>
      signupUser({ location: north(spot, km), locationConsent: true, interests: [tag], ...extra });
    const [attacker, target, hider] = await Promise.all([at(0), at(7.3), at(7.3)]);
    await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(hider))
      .send({ settings: { privacy: { showDistance: false } } })
      .expect(200);
    const stored = await User.findById(target.id, { location: 1 }).lean();
    expect(stored?.location).to.not.include(north(spot, 7.3));

    // Moving one's radius a kilometre at a time: the answer only changes at band edges.
    const seenAt = async (radius: number) => {
      await User.updateOne({ _id: attacker.id }, { $set: { 'lookingFor.maxDistanceKm': radius } });
      // Every page: in a busy database the two need not be on the first.
      const profiles: { id: string; distance?: string }[] = [];
      let cursor: string | null = null;
      do {
        const page = await feed(attacker, { limit: 30, ...(cursor && { cursor }) });
        profiles.push(...page.profiles);
        cursor = page.nextCursor;
      } while (cursor && !(profiles.some((p) => p.id === target.id) && profiles.some((p) => p.id === hider.id)));
      const card = profiles.find((p) => p.id === target.id);
      const hidden = profiles.find((p) => p.id === hider.id);
      return { target: card?.distance ?? null, hider: hidden ? JSON.stringify(hidden) : null };
    };
    for (const radius of [6, 7, 8, 9]) expect((await seenAt(radius)).target, `radius ${radius}`).to.equal('5-10 km');
    expect((await seenAt(4)).target).to.equal(null);
    // The hider is in the attacker's region: shown whatever the radius, never with a distance.
    for (const radius of [1, 5, 100]) {
      const { hider: card } = await seenAt(radius);
      expect(card, `radius ${radius}`).to.be.a('string');
      // No distance field, and no band in any value (a random username may well hold "km").
      expect(JSON.parse(card!)).to.not.have.any.keys('distance', 'distanceKm', 'distanceBand');
      expect(card).to.not.match(/\d+\s*(-\s*\d+\s*)?km|"distance/);
    }

    // Search: the same radii give the same answer; a hider never matches a distance filter.
    const search = async (maxDistanceKm: number) =>
      (
        (await (await api()).get('/api/v1/users/search').set(as(attacker)).query({ interests: tag, maxDistanceKm })).body
          .users as { id: string }[]
      ).map((u) => u.id);
    for (const km of [6, 7, 8, 9]) {
      const found = await search(km);
      expect(found, `${km} km`).to.include(target.id);
      expect(found).to.not.include(hider.id);
    }
    expect(await search(4)).to.not.include(target.id);
  });
});
