import { expect } from 'chai';
import { coarsePoint } from '../utils/geo.js';
import { Block } from '../models/block.model.js';
import { Report } from '../models/report.model.js';
import { User } from '../models/user.model.js';
import { hiddenUserIds } from '../services/people/block.service.js';
import { api } from './support/app.js';
import { expectDocumented } from './support/openapi.js';
import { bearer, signupUser, type SignedUp } from './support/users.js';

const PRIVATE = ['email', 'phone', 'dateOfBirth', 'location', 'passwordHash', 'settings', 'role', 'plan'];
const as = (u: SignedUp) => bearer(u.accessToken);

describe('profiles under /users', () => {
  it('GET and PATCH /me edit the profile, what one looks for and settings, partially', async () => {
    const u = await signupUser();
    const res = await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(u))
      .send({
        bio: '  I like <b>bold</b> coffee \u0007 ',
        interests: ['Go', 'go', ' Board Games '],
        lookingFor: { genders: ['female', 'non-binary'], minAge: 25, maxAge: 35, maxDistanceKm: 30 },
        settings: { privacy: { showAge: false } },
      });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expectDocumented(res, 'patch', '/api/v1/users/me');
    expect(res.body.user.bio).to.equal('I like <b>bold</b> coffee');
    expect(res.body.user.interests).to.deep.equal(['go', 'board-games']);
    expect(res.body.user.lookingFor).to.deep.equal({
      genders: ['female', 'non-binary'],
      minAge: 25,
      maxAge: 35,
      maxDistanceKm: 30,
    });
    // A partial settings update keeps the sibling values.
    expect(res.body.user.settings.privacy).to.include({ showAge: false, showDistance: true, discoverable: true });
    expect(res.body.user.settings.notifications).to.deep.equal({ email: true, push: true, requests: 'immediate' });

    const again = await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(u))
      .send({ lookingFor: { maxDistanceKm: 50 } });
    expect(again.body.user.lookingFor).to.include({ minAge: 25, maxAge: 35, maxDistanceKm: 50 });
    const me = await (await api()).get('/api/v1/users/me').set(as(u));
    expectDocumented(me, 'get', '/api/v1/users/me');
    expect(me.body.user.lookingFor.maxDistanceKm).to.equal(50);
  });

  it('refuses mass assignment of role, plan, badge, verification and counters, and changes nothing', async () => {
    const u = await signupUser();
    const before = await User.findById(u.id).lean();
    for (const body of [
      { role: 'admin' },
      { plan: 'premium' },
      { verifiedBadge: true },
      { emailVerified: true },
      { bio: 'ok', planExpiresAt: '2099-01-01' },
      { settings: { privacy: { isAdmin: true } } },
      { email: 'new@example.com' },
      { $set: { role: 'admin' } },
      { 'settings.privacy.showAge': false },
    ]) {
      const res = await (await api()).patch('/api/v1/users/me').set(as(u)).send(body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
    }
    const after = await User.findById(u.id).lean();
    expect(after).to.deep.equal(before);
  });

  it('validates types and ranges, and needs consent for a location', async () => {
    const u = await signupUser();
    const bad = [
      { bio: 'x'.repeat(501) },
      { bio: { $ne: null } },
      { interests: [] },
      { lookingFor: { minAge: 17 } },
      { lookingFor: { minAge: 40, maxAge: 30 } },
      { lookingFor: { genders: ['robot'] } },
      { settings: { privacy: { showAge: 'no' } } },
      { firstName: '<img src=x>' },
      { location: { lat: 10, lng: 10 } },
      { location: { lat: 100, lng: 10 }, locationConsent: true },
      { location: 'here', locationConsent: true },
      { location: {}, locationConsent: true },
      { settings: 'all on' },
      { lookingFor: [1, 2] },
    ];
    for (const body of bad) {
      const res = await (await api()).patch('/api/v1/users/me').set(as(u)).send(body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
    }
    expect((await User.findById(u.id).lean())!.location).to.equal(undefined);

    const withConsent = await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(u))
      .send({ location: { lat: 48.85, lng: 2.35 }, locationConsent: true });
    expect(withConsent.status).to.equal(200);
    // Kept as the centre of its ~1 km grid cell, never the exact point.
    expect(withConsent.body.user.location).to.include(coarsePoint({ lat: 48.85, lng: 2.35 }));
    // Consent given once covers later moves; the other age bound is read from what is stored.
    const moved = await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(u))
      .send({ location: { lat: 48.86, lng: 2.36 } });
    expect(moved.body.user.location).to.include(coarsePoint({ lat: 48.86, lng: 2.36 }));
    await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(u))
      .send({ lookingFor: { minAge: 40 } });
    const crossed = await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(u))
      .send({ lookingFor: { maxAge: 30 } });
    expect(crossed.status).to.equal(400);
    expect(crossed.body.error.code).to.equal('INVALID_AGE_RANGE');
    expect((await User.findById(u.id).lean())!.lookingFor!.maxAge).to.equal(120);
    const withdrawn = await (await api()).patch('/api/v1/users/me').set(as(u)).send({ locationConsent: false });
    expect(withdrawn.body.user.locationConsent).to.equal(false);
    expect((await User.findById(u.id).lean())!.location).to.equal(undefined);

    const consentOnly = await (await api()).patch('/api/v1/users/me').set(as(u)).send({ locationConsent: true });
    expect(consentOnly.body.user.locationConsent).to.equal(true);
    const afterConsent = await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(u))
      .send({ location: { lat: 1, lng: 2 } });
    expect(afterConsent.status).to.equal(200);
  });

  /**
   * Sixteen rounds, a fresh person each (moving is budgeted per person): `change(i)` sent at the
   * same moment as a consent withdrawal. The withdrawal wins whatever the order: the change is
   * applied before it or refused with `refusal`, and no place, cell or consent is left.
   */
  async function raceWithWithdrawal(change: (i: number) => object, refusal: string) {
    for (let i = 0; i < 16; i++) {
      const u = await signupUser({ location: { lat: 48.85, lng: 2.35 }, locationConsent: true });
      const patch = async (body: object) => (await api()).patch('/api/v1/users/me').set(as(u)).send(body);
      const [changed, withdrawn] = await Promise.all([patch(change(i)), patch({ locationConsent: false })]);
      expect(withdrawn.status).to.equal(200);
      expect(changed.status === 200 || changed.body.error?.code === refusal, JSON.stringify(changed.body)).to.equal(true);
      const stored = await User.findById(u.id, { locationConsent: 1, location: 1, geoCells: 1 }).lean();
      expect([stored?.locationConsent, stored?.location, stored?.geoCells], `round ${i}`).to.deep.equal([
        false,
        undefined,
        undefined,
      ]);
    }
  }

  it('hiding or showing distance in flight never brings back a place whose consent was withdrawn beside it', async () => {
    await raceWithWithdrawal((i) => ({ settings: { privacy: { showDistance: i % 2 === 0 } } }), 'CONCURRENT_UPDATE');
  });

  it('a location update in flight never brings back consent withdrawn beside it', async () => {
    await raceWithWithdrawal((i) => ({ location: { lat: 48 + i / 100, lng: 2.3 } }), 'LOCATION_CONSENT_REQUIRED');
  });

  it('PATCH /me/status sets availability and matching', async () => {
    const u = await signupUser();
    const res = await (
      await api()
    )
      .patch('/api/v1/users/me/status')
      .set(as(u))
      .send({ availability: 'busy', availableForMatching: true });
    expect(res.status).to.equal(200);
    expectDocumented(res, 'patch', '/api/v1/users/me/status');
    expect(res.body.user).to.include({ availability: 'busy', availableForMatching: true });
    expect((await (await api()).patch('/api/v1/users/me/status').set(as(u)).send({ availability: 'sleeping' })).status).to.equal(
      400,
    );
    expect((await (await api()).patch('/api/v1/users/me/status').set(as(u)).send({})).status).to.equal(400);
  });

  it('GET /users/:username shows the public view: age and distance band, never private fields', async () => {
    const viewer = await signupUser({ location: { lat: 52.52, lng: 13.405 }, locationConsent: true });
    const other = await signupUser({ dateOfBirth: '1990-06-15', location: { lat: 52.41, lng: 13.25 }, locationConsent: true });
    const res = await (await api()).get(`/api/v1/users/${other.input.username.toUpperCase()}`).set(as(viewer));
    expect(res.status).to.equal(200);
    expectDocumented(res, 'get', '/api/v1/users/{username}');
    const p = res.body.profile;
    expect(p).to.include({ id: other.id, username: other.input.username, firstName: 'Ada' });
    expect(p.age).to.be.within(35, 37);
    expect(p.distance).to.equal('10-25 km');
    expect(p).to.not.have.any.keys(...PRIVATE);
    expect(JSON.stringify(res.body))
      .to.not.include(other.input.email)
      .and.not.include(other.input.phone)
      .and.not.include('52.41');

    await (
      await api()
    )
      .patch('/api/v1/users/me')
      .set(as(other))
      .send({ settings: { privacy: { showAge: false, showDistance: false } } });
    const hidden = (await (await api()).get(`/api/v1/users/${other.input.username}`).set(as(viewer))).body.profile;
    expect(hidden).to.not.have.any.keys('age', 'distance');
  });

  it('answers 404 or 400 for missing, malformed and hostile usernames, and 401 without auth', async () => {
    const u = await signupUser();
    expect((await (await api()).get('/api/v1/users/nobody_here_123').set(as(u))).status).to.equal(404);
    expect((await (await api()).get('/api/v1/users/a').set(as(u))).status).to.equal(400);
    expect((await (await api()).get(`/api/v1/users/${encodeURIComponent('.*')}`).set(as(u))).status).to.equal(400);
    expect((await (await api()).get('/api/v1/users/...').set(as(u))).status).to.equal(404);
    expect((await (await api()).get(`/api/v1/users/${'x'.repeat(5000)}`).set(as(u))).status).to.equal(400);
    expect((await (await api()).get(`/api/v1/users/${u.input.username}`)).status).to.equal(401);
  });
});

describe('blocking', () => {
  it('hides both users from each other, is idempotent, listed, and undone by unblock', async () => {
    const a = await signupUser();
    const b = await signupUser();
    const block = await (await api()).post(`/api/v1/users/${b.id}/block`).set(as(a));
    expect(block.status).to.equal(204);
    const twice = await Promise.all([
      (await api()).post(`/api/v1/users/${b.id}/block`).set(as(a)),
      (await api()).post(`/api/v1/users/${b.id}/block`).set(as(a)),
    ]);
    expect(twice.map((r) => r.status)).to.deep.equal([204, 204]);
    expect(await Block.countDocuments({ blockerId: a.id, blockedId: b.id })).to.equal(1);

    expect((await (await api()).get(`/api/v1/users/${b.input.username}`).set(as(a))).status).to.equal(404);
    const reverse = await (await api()).get(`/api/v1/users/${a.input.username}`).set(as(b));
    expect(reverse.status).to.equal(404);
    expect(reverse.body.error.code).to.equal('NOT_FOUND');

    const list = await (await api()).get('/api/v1/users/me/blocks').set(as(a));
    expectDocumented(list, 'get', '/api/v1/users/me/blocks');
    expect(list.body.blocks.map((x: { userId: string }) => x.userId)).to.deep.equal([b.id]);
    expect((await (await api()).get('/api/v1/users/me/blocks').set(as(b))).body.blocks).to.deep.equal([]);

    expect((await (await api()).delete(`/api/v1/users/${b.id}/block`).set(as(a))).status).to.equal(204);
    expect((await (await api()).get(`/api/v1/users/${b.input.username}`).set(as(a))).status).to.equal(200);
  });

  it('lists blocks a page at a time, newest first', async () => {
    const [me, ...others] = await Promise.all(Array.from({ length: 6 }, () => signupUser()));
    for (const other of others) await (await api()).post(`/api/v1/users/${other.id}/block`).set(as(me!)).expect(204);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { blocks: { userId: string }[]; nextCursor: string | null } } = await (
        await api()
      )
        .get('/api/v1/users/me/blocks')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(as(me!));
      expectDocumented(res, 'get', '/api/v1/users/me/blocks');
      expect(res.body.blocks.length).to.be.at.most(2);
      seen.push(...res.body.blocks.map((b) => b.userId));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).to.deep.equal(others.map((o) => o.id).reverse());
    const tooMany = await (await api()).get('/api/v1/users/me/blocks?limit=101').set(as(me!));
    expect(tooMany.status).to.equal(400);
  });

  it('hiddenUserIds names everyone blocked either way, and no one else', async () => {
    const [me, iBlocked, blockedMe, stranger] = await Promise.all(Array.from({ length: 4 }, () => signupUser()));
    await (await api()).post(`/api/v1/users/${iBlocked!.id}/block`).set(as(me!)).expect(204);
    await (await api()).post(`/api/v1/users/${me!.id}/block`).set(as(blockedMe!)).expect(204);
    const hidden = (await hiddenUserIds(me!.id)).map(String).sort();
    expect(hidden).to.deep.equal([iBlocked!.id, blockedMe!.id].sort());
    expect(hidden).to.not.include(stranger!.id);
    expect((await hiddenUserIds(stranger!.id)).length).to.equal(0);
  });

  it('refuses blocking oneself, a missing user and a malformed id', async () => {
    const a = await signupUser();
    expect((await (await api()).post(`/api/v1/users/${a.id}/block`).set(as(a))).body.error.code).to.equal('CANNOT_BLOCK_SELF');
    expect((await (await api()).post('/api/v1/users/5f0000000000000000000000/block').set(as(a))).status).to.equal(404);
    expect((await (await api()).post('/api/v1/users/not-an-id/block').set(as(a))).status).to.equal(400);
    expect(await Block.countDocuments({ blockerId: a.id })).to.equal(0);
  });
});

describe('POST /reports', () => {
  it('files a report once per target and keeps the first', async () => {
    const a = await signupUser();
    const b = await signupUser();
    const first = await (
      await api()
    )
      .post('/api/v1/reports')
      .set(as(a))
      .send({ targetType: 'user', targetId: b.id, reason: 'spam', note: 'sends links' });
    expect(first.status).to.equal(201);
    expectDocumented(first, 'post', '/api/v1/reports');
    const again = await (
      await api()
    )
      .post('/api/v1/reports')
      .set(as(a))
      .send({ targetType: 'user', targetId: b.id, reason: 'harassment' });
    expect(again.status).to.equal(200);
    expect(again.body.report.id).to.equal(first.body.report.id);
    expect(again.body.report.reason).to.equal('spam');
    expect(await Report.countDocuments({ reporterId: a.id, targetId: b.id })).to.equal(1);
    // Another reporter's report is its own.
    expect(
      (await (await api()).post('/api/v1/reports').set(as(b)).send({ targetType: 'user', targetId: a.id, reason: 'spam' }))
        .status,
    ).to.equal(201);
  });

  it('refuses bad reasons, ids, oneself and missing users', async () => {
    const a = await signupUser();
    const bad = [
      { targetType: 'user', targetId: a.id, reason: 'spam' },
      { targetType: 'user', targetId: '5f0000000000000000000000', reason: 'spam' },
      { targetType: 'planet', targetId: a.id, reason: 'spam' },
      { targetType: 'user', targetId: 'x', reason: 'spam' },
      { targetType: 'user', targetId: a.id, reason: 'boring' },
      { targetType: 'user', targetId: { $ne: null }, reason: 'spam' },
      { targetType: 'post', targetId: a.id, reason: 'spam', note: 'n'.repeat(1001) },
    ];
    for (const body of bad) {
      const res = await (await api()).post('/api/v1/reports').set(as(a)).send(body);
      expect(res.status, JSON.stringify(body)).to.be.oneOf([400, 404]);
    }
    expect(await Report.countDocuments({ reporterId: a.id })).to.equal(0);
  });
});
