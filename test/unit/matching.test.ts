import { expect } from 'chai';
import {
  cardFor,
  compatible,
  RELAX_COUNTRY_MS,
  RELAX_DISTANCE_MS,
  RELAX_INTERESTS_MS,
  RELAX_STEPS,
  score,
} from '../../services/match/matching.js';
import type { Ticket } from '../../services/match/queue.store.js';
import { emptyModel, type TasteModel } from '../../services/match/taste/model.js';

const T0 = 1_800_000_000_000;
const paris = { lat: 48.855, lng: 2.355 };
const north = (km: number) => ({ lat: paris.lat + km / 111.19, lng: paris.lng });

function ticket(userId: string, extra: Partial<Ticket> = {}): Ticket {
  return {
    userId,
    mode: 'chat',
    joinedAt: T0,
    priority: 0,
    gender: 'female',
    age: 30,
    preference: 'dating',
    lookingFor: { genders: [], minAge: 18, maxAge: 120, maxDistanceKm: 100 },
    interests: [],
    wantedInterests: [],
    hidden: [],
    showDistance: true,
    ...extra,
  };
}

/** Compatible both ways round (the rules are symmetric in their two tickets). */
const fits = (a: Ticket, b: Ticket, now: number) => {
  const ab = compatible(a, b, now);
  expect(compatible(b, a, now), 'the same both ways round').to.equal(ab);
  return ab;
};

describe('matching rules (pure, at fixed clock values)', () => {
  it('someone who hides their age fits no narrowed age range, and every age within the whole range', () => {
    const hider = ticket('h', { age: 34, showAge: false });
    const shower = ticket('s', { age: 34 });
    for (const [minAge, maxAge, fitsHider, fitsShower] of [
      [34, 34, false, true],
      [18, 40, false, true],
      [35, 120, false, false],
      [18, 120, true, true],
    ] as const) {
      const seeker = ticket('x', { lookingFor: { genders: [], minAge, maxAge, maxDistanceKm: 100 } });
      expect(fits(seeker, hider, T0), `${minAge}-${maxAge} hider`).to.equal(fitsHider);
      expect(fits(seeker, shower, T0), `${minAge}-${maxAge} shower`).to.equal(fitsShower);
    }
  });

  it('relaxes at 10 s (interests), 20 s (country), 30 s (distance), in that order', () => {
    expect(RELAX_STEPS).to.deep.equal([RELAX_INTERESTS_MS, RELAX_COUNTRY_MS, RELAX_DISTANCE_MS]);
    expect(RELAX_STEPS).to.deep.equal([10_000, 20_000, 30_000]);
  });

  it('interests asked for when joining filter until 10 s of waiting, not a millisecond more', () => {
    const a = ticket('a', { wantedInterests: ['climbing'], interests: ['climbing'] });
    const b = ticket('b', { interests: ['chess'] });
    expect(fits(a, b, T0)).to.equal(false);
    expect(fits(a, b, T0 + RELAX_INTERESTS_MS - 1)).to.equal(false);
    expect(fits(a, b, T0 + RELAX_INTERESTS_MS)).to.equal(true);
    expect(fits(a, { ...b, interests: ['chess', 'climbing'] }, T0), 'any shared one fits at once').to.equal(true);
    // The clock that counts is the asker's: a partner who waited long relaxes nothing for them.
    expect(fits(a, { ...b, joinedAt: T0 - 60_000 }, T0 + 1)).to.equal(false);
  });

  it('a country asked for filters until 20 s', () => {
    const a = ticket('a', { country: 'FR' });
    const b = ticket('b', { country: 'DE' });
    expect(fits(a, b, T0 + RELAX_COUNTRY_MS - 1)).to.equal(false);
    expect(fits(a, b, T0 + RELAX_COUNTRY_MS)).to.equal(true);
    expect(fits(a, { ...b, country: 'FR' }, T0)).to.equal(true);
  });

  it('distance filters (at the band edge of the smaller radius) until both have waited 30 s', () => {
    const a = ticket('a', { location: paris, lookingFor: { genders: [], minAge: 18, maxAge: 120, maxDistanceKm: 8 } });
    const near = ticket('b', { location: north(9) });
    const far = ticket('c', { location: north(12) });
    // 8 km widens to the 10 km band edge: 9 km is in, 12 km is out.
    expect(fits(a, near, T0)).to.equal(true);
    expect(fits(a, far, T0)).to.equal(false);
    expect(fits(a, far, T0 + RELAX_DISTANCE_MS - 1)).to.equal(false);
    expect(fits(a, far, T0 + RELAX_DISTANCE_MS)).to.equal(true);
    // A newcomer resets the pair's clock: both must have waited.
    expect(fits(a, { ...far, joinedAt: T0 + 20_000 }, T0 + RELAX_DISTANCE_MS)).to.equal(false);
    // Someone hiding their distance is matched by region (the 1-degree cell) instead.
    expect(fits(a, { ...far, showDistance: false }, T0)).to.equal(true);
    expect(fits(a, { ...far, showDistance: false, location: { lat: 50.5, lng: 2.355 } }, T0)).to.equal(false);
  });

  it('hard rules never relax: mode, preference, blocks, genders and ages both ways', () => {
    const late = T0 + 10 * 60_000;
    const a = ticket('a', { lookingFor: { genders: ['male'], minAge: 25, maxAge: 35, maxDistanceKm: 100 } });
    const b = ticket('b', { gender: 'male', age: 30 });
    expect(fits(a, b, late)).to.equal(true);
    expect(fits(a, { ...b, mode: 'video' }, late), 'mode').to.equal(false);
    expect(fits(a, { ...b, preference: 'friendship' }, late), 'preference').to.equal(false);
    expect(fits(a, { ...b, hidden: ['a'] }, late), 'blocked by b').to.equal(false);
    expect(fits({ ...a, hidden: ['b'] }, b, late), 'blocked by a').to.equal(false);
    expect(fits(a, { ...b, gender: 'female' }, late), "a's genders").to.equal(false);
    expect(fits(a, { ...b, age: 24 }, late), "a's minimum age").to.equal(false);
    expect(fits(a, { ...b, age: 36 }, late), "a's maximum age").to.equal(false);
    // b's side of the fit too.
    expect(
      fits(a, { ...b, lookingFor: { genders: ['non-binary'], minAge: 18, maxAge: 120, maxDistanceKm: 100 } }, late),
    ).to.equal(false);
    expect(
      fits({ ...a, age: 50 }, { ...b, lookingFor: { genders: [], minAge: 18, maxAge: 40, maxDistanceKm: 100 } }, late),
    ).to.equal(false);
    expect(fits(a, { ...a }, late), 'never oneself').to.equal(false);
  });

  it('ranks shared interests, then nearness and waiting; a returning partner first', () => {
    const a = ticket('a', { interests: ['x', 'y'], location: paris });
    const shared = ticket('b', { interests: ['x'], location: north(50) });
    const near = ticket('c', { location: north(1) });
    expect(score(a, shared, T0)).to.be.greaterThan(score(a, near, T0));
    expect(score(a, near, T0 + 30_000)).to.be.greaterThan(score(a, near, T0));
    expect(score(a, { ...near, priority: 1 }, T0)).to.be.greaterThan(score(a, shared, T0));
  });

  it('shows a partner a distance band only when they share their distance', () => {
    const a = ticket('a', { location: paris });
    const b = ticket('b', { location: north(7), card: { id: 'b' } as Ticket['card'] });
    expect(cardFor(a, b)).to.deep.include({ distance: '5-10 km' });
    expect(cardFor(a, { ...b, showDistance: false })).to.not.have.property('distance');
  });
});

describe('matching score with the learned taste', () => {
  const liking = (features: string[]): TasteModel => ({
    ...emptyModel('a'),
    w: Object.fromEntries(features.map((f) => [f, 2])),
  });
  const taste = (model: TasteModel, features: string[], weight: number) => ({ model, features, weight });

  it('ranks the partner a learned taste likes first, only for the adaptive variant, and never changes who may be paired', () => {
    const a = ticket('a', { taste: taste(liking(['i:climbing']), ['i:chess'], 0.8) });
    const liked = ticket('b1', { taste: taste(emptyModel('b1'), ['i:climbing'], 0) });
    const other = ticket('b2', { taste: taste(emptyModel('b2'), ['i:knitting'], 0) });
    expect(score(a, liked, T0)).to.be.greaterThan(score(a, other, T0));
    const explicitA = ticket('a', { taste: taste(liking(['i:climbing']), ['i:chess'], 0) });
    expect(score(explicitA, liked, T0)).to.equal(score(explicitA, other, T0));
    // The hard rules do not read the taste at all.
    const tooOld = ticket('b3', { age: 70, taste: taste(emptyModel('b3'), ['i:climbing'], 0) });
    const picky = ticket('a', { lookingFor: { genders: [], minAge: 18, maxAge: 40, maxDistanceKm: 100 }, taste: a.taste });
    expect(compatible(picky, tooOld, T0)).to.equal(false);
  });
});
