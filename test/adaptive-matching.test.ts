import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import { Types } from 'mongoose';
import { TasteSignal } from '../models/taste-signal.model.js';
import { User } from '../models/user.model.js';
import { flushAnalytics } from '../services/analytics/record.js';
import { learnTasteSignals } from '../services/match/taste/learner.js';
import { api } from './support/app.js';
import { swipeAs } from './support/connections.js';
import { eventually } from './support/eventually.js';
import { expectDocumented } from './support/openapi.js';
import { bearer, signupUser, staffUser, type SignedUp } from './support/users.js';

const as = (u: SignedUp) => bearer(u.accessToken);
const DISCOVER = '/api/v1/discover';
const EXPLAIN = '/api/v1/admin/matching/explain';
const SETTINGS = '/api/v1/admin/settings';
const word = () => Array.from({ length: 8 }, () => String.fromCharCode(97 + randomInt(26))).join('');
const home = () => ({ lat: randomInt(-50_000, 50_000) / 1000, lng: randomInt(-170_000, 170_000) / 1000 });
const north = (p: { lat: number; lng: number }, km: number) => ({ lat: p.lat + km / 110.574, lng: p.lng });

async function feed(u: SignedUp): Promise<string[]> {
  const res = await (await api()).get(DISCOVER).set(as(u)).query({ limit: 30 });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body.profiles.map((p: { id: string }) => p.id);
}
const ahead = (order: string[], a: SignedUp, b: SignedUp) => {
  expect(order, 'both shown').to.include.members([a.id, b.id]);
  return order.indexOf(a.id) < order.indexOf(b.id);
};

/** Waits until the signals a test caused are queued (they are written off the request's path), then learns. */
async function learnFrom(actor: SignedUp, count: number) {
  const actorId = new Types.ObjectId(actor.id);
  await eventually(
    async () => (await TasteSignal.countDocuments({ actorId, kind: { $ne: 'shown' } })) >= count,
    5000,
    'queued signals',
  );
  while ((await learnTasteSignals()) > 0);
}

async function setSettings(admin: SignedUp, values: Record<string, unknown>) {
  const { version } = (await (await api()).get(SETTINGS).set(as(admin))).body.settings;
  const res = await (await api()).patch(SETTINGS).set(as(admin)).send({ values, expectedVersion: version });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
}

/**
 * A viewer whose profile says tagA and tagB, beside two candidates the explicit ranking
 * orders one way (`similar` shares both interests, `different` none), and people to teach
 * the viewer with: they turn out to like the tagC/tagD kind and pass on their own kind.
 */
async function scene() {
  const spot = home();
  const [tagA, tagB, tagC, tagD] = [word(), word(), word(), word()];
  const at = (km: number, interests: string[], extra: Record<string, unknown> = {}) =>
    signupUser({ location: north(spot, km), locationConsent: true, interests, ...extra });
  const viewer = await at(0, [tagA, tagB]);
  // Premium: more requests a day than the free plan's three.
  await User.updateOne({ _id: viewer.id }, { $set: { plan: 'premium', planExpiresAt: new Date(Date.now() + 86_400_000) } });
  const [similar, different, ...trainers] = await Promise.all([
    at(2, [tagA, tagB]),
    at(2, [tagC, tagD]),
    ...Array.from({ length: 4 }, () => at(3, [tagC, tagD])),
    ...Array.from({ length: 4 }, () => at(3, [tagA, tagB])),
  ]);
  const teach = async () => {
    for (const t of trainers.slice(0, 4)) expect((await swipeAs(viewer, t, 'interested')).status).to.equal(201);
    for (const t of trainers.slice(4)) expect((await swipeAs(viewer, t, 'ignored')).status).to.equal(201);
    await learnFrom(viewer, 8);
  };
  return { viewer, similar, different, teach, at, tags: [tagA, tagB, tagC, tagD] };
}

describe('adaptive matching', function () {
  this.timeout(60_000);
  let admin: SignedUp;
  before(async () => {
    admin = await staffUser('admin');
  });
  afterEach(() => setSettings(admin, { matchingMode: null, matchingBlend: null }));

  it('learns from swipes: the kind a person turns out to like rises above what their profile states; a reset forgets', async () => {
    const { viewer, similar, different, teach } = await scene();
    expect(ahead(await feed(viewer), similar, different), 'explicit fit first before anything is learned').to.equal(true);
    await teach();
    expect(ahead(await feed(viewer), different, similar), 'the learned taste first').to.equal(true);
    const stored = await User.findById(viewer.id, { taste: 1 }).lean();
    expect((stored!.taste as { n: number }).n).to.be.at.least(8);

    // The model never leaves through a profile, own or public.
    const own = await (await api()).get('/api/v1/users/me').set(as(viewer));
    const other = await (await api()).get(`/api/v1/users/${viewer.input.username}`).set(as(similar));
    expect(JSON.stringify(own.body) + JSON.stringify(other.body)).not.to.match(/taste|"w"|viewerInterest/);

    const reset = await (await api()).delete('/api/v1/users/me/taste').set(as(viewer));
    expect(reset.status).to.equal(204);
    expectDocumented(reset, 'delete', '/api/v1/users/me/taste');
    expect((await User.findById(viewer.id, { taste: 1 }).lean())!.taste).to.deep.include({ w: {}, b: 0 });
    expect(ahead(await feed(viewer), similar, different), 'forgotten: the explicit fit again').to.equal(true);
    // Resets are few a day: not a way to wash off how others judged you.
    const resets = [];
    for (let i = 0; i < 3; i++) resets.push((await (await api()).delete('/api/v1/users/me/taste').set(as(viewer))).status);
    expect(resets).to.deep.equal([204, 204, 429]);
  });

  it('explains a card to admins, and can be switched off or made an A/B split', async () => {
    const { viewer, similar, different, teach } = await scene();
    await teach();
    const explain = (q: Record<string, string>, who = admin) => api().then((a) => a.get(EXPLAIN).set(as(who)).query(q));
    const liked = await explain({ viewerId: viewer.id, candidateId: different.id });
    expect(liked.status, JSON.stringify(liked.body)).to.equal(200);
    expectDocumented(liked, 'get', EXPLAIN);
    const passed = (await explain({ viewerId: viewer.id, candidateId: similar.id })).body.explanation;
    const e = liked.body.explanation;
    expect(e.variant).to.equal('adaptive');
    expect(e.parts.viewerInterest).to.be.greaterThan(passed.parts.viewerInterest);
    expect(passed.parts.explicit).to.be.greaterThan(e.parts.explicit);
    expect(e.score).to.be.greaterThan(passed.score);
    const looked = await (
      await api()
    )
      .get('/api/v1/admin/audit')
      .set(as(admin))
      .query({ actorId: admin.id, action: 'admin.matching_explained' });
    expect(looked.body.records.length, 'every look is audited').to.be.at.least(2);
    const moderator = await staffUser('moderator');
    expect((await explain({ viewerId: viewer.id, candidateId: similar.id }, moderator)).status).to.equal(403);
    expect((await explain({ viewerId: viewer.id, candidateId: similar.id }, viewer)).status).to.equal(403);
    expect((await explain({ viewerId: { $ne: 1 } as never, candidateId: similar.id })).status).to.equal(400);
    expect((await explain({ viewerId: new Types.ObjectId().toString(), candidateId: similar.id })).status).to.equal(404);

    // Off: the explicit ranking, whatever was learned.
    await setSettings(admin, { matchingMode: 'explicit' });
    expect(ahead(await feed(viewer), similar, different)).to.equal(true);
    expect((await explain({ viewerId: viewer.id, candidateId: different.id })).body.explanation.variant).to.equal('explicit');

    // An A/B split: each person stays in one half, and each half's cards are counted. People are
    // split by a hash of their id: eight at once all fell in one half once in 128 runs, so more
    // are signed up (in eights, up to 48) until both halves are seen.
    await setSettings(admin, { matchingMode: 'ab' });
    const people: Awaited<ReturnType<typeof signupUser>>[] = [];
    const variants: string[] = [];
    while (new Set(variants).size < 2 && people.length < 48) {
      const more = await Promise.all(Array.from({ length: 8 }, () => signupUser()));
      people.push(...more);
      variants.push(
        ...(await Promise.all(
          more.map(async (p) => (await explain({ viewerId: p.id, candidateId: viewer.id })).body.explanation.variant as string),
        )),
      );
    }
    expect(new Set(variants), 'both halves used').to.have.property('size', 2);
    const again = (await explain({ viewerId: people[0]!.id, candidateId: viewer.id })).body.explanation.variant;
    expect(again).to.equal(variants[0]);
    const today = new Date().toISOString().slice(0, 10);
    const report = async () => {
      await flushAnalytics();
      return (await (await api()).get('/api/v1/admin/analytics').set(as(admin)).query({ from: today, to: today })).body.analytics
        .matching;
    };
    const was = await report();
    const mine = (await explain({ viewerId: viewer.id, candidateId: similar.id })).body.explanation.variant as
      'explicit' | 'adaptive';
    const shown = (await feed(viewer)).length;
    await eventually(
      async () => (await report())[mine].cards === was[mine].cards + shown,
      5000,
      'the cards counted for the variant',
    );
  });

  it('never shows a blocked person, never breaks the explicit filters, and learns nothing across a block or from a hidden profile', async () => {
    const { viewer, similar, different, teach, at, tags } = await scene();
    // Someone the learned taste would love but the viewer's own age range rules out.
    await User.updateOne({ _id: viewer.id }, { $set: { 'lookingFor.maxAge': 35 } });
    const tooOld = await at(1, [tags[2]!, tags[3]!], { dateOfBirth: '1960-01-01' });
    await teach();
    let order = await feed(viewer);
    expect(order).not.to.include(tooOld.id);
    expect(ahead(order, different, similar)).to.equal(true);
    expect((await (await api()).post(`/api/v1/users/${different.id}/block`).set(as(viewer))).status).to.be.oneOf([200, 201, 204]);
    order = await feed(viewer);
    expect(order).not.to.include(different.id);

    // Signals across a block and about a hidden profile are dropped by the learner.
    const [watcher, blocked, hidden] = await Promise.all([signupUser(), at(2, [tags[2]!]), at(2, [tags[2]!])]);
    await User.updateOne({ _id: hidden.id }, { $set: { 'settings.privacy.discoverable': false } });
    expect((await swipeAs(watcher, blocked, 'interested')).status).to.equal(201);
    expect((await swipeAs(watcher, hidden, 'interested')).status).to.equal(201);
    await (await api()).post(`/api/v1/users/${blocked.id}/block`).set(as(watcher));
    await learnFrom(watcher, 2);
    const learned = await User.find({ _id: { $in: [watcher.id, blocked.id, hidden.id] } }, { taste: 1 }).lean();
    expect(learned.map((u) => u.taste)).to.deep.equal([undefined, undefined, undefined]);
  });

  it('ranks by no hidden age and by no country: what a card does not show, its place does not say', async () => {
    const { viewer, at, tags } = await scene();
    const born = (age: number) => `${new Date().getUTCFullYear() - age - 1}-06-15`;
    const young = { dateOfBirth: born(27) };
    const old = { dateOfBirth: born(47) };
    // A country and a hidden age are set once signed up (the profile's own screen).
    const inCountry = (country: string, people: SignedUp[]) =>
      User.updateMany({ _id: { $in: people.map((p) => p.id) } }, { $set: { country } });
    // The viewer likes 27-year-olds in one country and passes on 47-year-olds in another, all alike otherwise.
    const trainers = await Promise.all([
      ...Array.from({ length: 4 }, () => at(3, [tags[2]!], young)),
      ...Array.from({ length: 4 }, () => at(3, [tags[2]!], old)),
    ]);
    await inCountry('IN', trainers.slice(0, 4));
    await inCountry('BR', trainers.slice(4));
    for (const [i, t] of trainers.entries())
      expect((await swipeAs(viewer, t, i < 4 ? 'interested' : 'ignored')).status).to.equal(201);
    await learnFrom(viewer, 8);
    const [shownYoung, shownOld, hiddenYoung, hiddenOld] = await Promise.all([
      at(2, [tags[2]!], young),
      at(2, [tags[2]!], old),
      at(2, [tags[2]!], young),
      at(2, [tags[2]!], old),
    ]);
    await User.updateMany({ _id: { $in: [hiddenYoung.id, hiddenOld.id] } }, { $set: { 'settings.privacy.showAge': false } });
    await inCountry('IN', [shownYoung, hiddenYoung]);
    await inCountry('BR', [shownOld, hiddenOld]);
    const interest = async (candidate: SignedUp) => {
      const res = await (
        await api()
      )
        .get('/api/v1/admin/matching/explain')
        .set(as(admin))
        .query({ viewerId: viewer.id, candidateId: candidate.id });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body.explanation.parts.viewerInterest as number;
    };
    expect(await interest(shownYoung), 'a shown age is learned from').to.be.greaterThan(await interest(shownOld));
    expect(await interest(hiddenYoung), 'a hidden age and a country are not').to.equal(await interest(hiddenOld));
  });
});
