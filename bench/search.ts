/**
 * npm run bench:search: GET /api/v1/users/search over 10,000 generated users against a
 * plain indexed find of a page on the raw driver, in the same run. Reports throughput
 * and p99 ratios (docs/benchmarks.md keeps a run). BENCH_SECONDS (default 8) and
 * BENCH_USERS (default 10000) tune it; the database is chosen as in bench/run.ts.
 */
import { randomInt } from 'node:crypto';
import mongoose from 'mongoose';
import { coveringCells, geoCellsOf } from '../utils/geo.js';
import { nameSearchKeys } from '../utils/search-keys.js';
import { benchDatabase, report, serve, stopServers, tableHeader } from './harness.js';
import { hammer } from './load.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const count = Number(process.env.BENCH_USERS ?? 10_000);
const db = await benchDatabase();

// Names from syllables: 24 x 24 first and last names, so a 3-letter prefix matches as
// real names do (a few percent of people at most), not a twelfth of everyone.
const ONSETS = [
  'Pri',
  'Ra',
  'Ana',
  'Ar',
  'Sa',
  'Vi',
  'Me',
  'Ka',
  'Is',
  'Ro',
  'Di',
  'Ad',
  'Ne',
  'Ta',
  'Ja',
  'Mo',
  'Lu',
  'Ga',
  'He',
  'Za',
  'Bo',
  'Cy',
  'Fe',
  'Ol',
];
const ENDINGS = [
  'ya',
  'hul',
  'nya',
  'jun',
  'ra',
  'kram',
  'era',
  'bir',
  'ha',
  'han',
  'ya',
  'itya',
  'el',
  'ro',
  'mes',
  'na',
  'cas',
  'bri',
  'len',
  'id',
  'ris',
  'rus',
  'lix',
  'iver',
];
const FIRST = ONSETS.flatMap((o) => ENDINGS.map((e) => o + e));
const LAST = ENDINGS.flatMap((e) => ONSETS.map((o) => `${o}${e}son`));
const TAGS = Array.from({ length: 100 }, (_, i) => `tag${i}`);
const GENDERS = ['male', 'female', 'non-binary', 'other'];
const pick = <T>(list: readonly T[]) => list[randomInt(list.length)]!;
// People spread over a region about 2,000 km across, as a national launch would have them.
const CENTRE = { lat: 19, lng: 77 };
const randomPoint = () => ({ lat: 10 + randomInt(18_000) / 1000, lng: 68 + randomInt(18_000) / 1000 });

function generatedUser(i: number) {
  const firstName = pick(FIRST);
  const lastName = pick(LAST);
  const username = `${firstName.toLowerCase()}_${i}`;
  const location = randomPoint();
  const now = new Date();
  return {
    firstName,
    lastName,
    username,
    email: `${username}@bench.test`,
    phone: `+1555${String(i).padStart(8, '0')}`,
    gender: pick(GENDERS),
    dateOfBirth: new Date(Date.UTC(1966 + randomInt(40), randomInt(12), 1 + randomInt(28))),
    preference: randomInt(2) ? 'dating' : 'friendship',
    interests: [...new Set([pick(TAGS), pick(TAGS), pick(TAGS)])],
    bio: '',
    settings: { privacy: { showAge: true, showDistance: true, discoverable: true } },
    locationConsent: true,
    location: { ...location, updatedAt: now },
    geoCells: geoCellsOf(location),
    ...nameSearchKeys({ firstName, lastName, username }),
    gallery: [],
    role: 'user',
    plan: 'free',
    createdAt: now,
    updatedAt: now,
  };
}

try {
  const app = await serve(db.uri, 'app', 4111, { LOG_LEVEL: 'warn' });
  const raw = await serve(db.uri, 'rawfind', 4112);

  // The app has created the indexes; the users go in directly, in batches.
  const conn = await mongoose.createConnection(db.uri).asPromise();
  const users = conn.db!.collection('users');
  for (let i = 0; i < count; i += 500) {
    await users.insertMany(Array.from({ length: Math.min(500, count - i) }, (_, j) => generatedUser(i + j)));
  }
  await conn.close();

  const signup = await fetch(`${app.url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      firstName: 'Search',
      lastName: 'Er',
      gender: 'other',
      dateOfBirth: '1995-01-01',
      email: `searcher-${Date.now()}@bench.test`,
      phone: '+15559999999',
      username: `searcher_${Date.now()}`,
      password: 'bench password 123',
      preference: 'dating',
      interests: ['tag1'],
      location: CENTRE,
      locationConsent: true,
    }),
  });
  if (signup.status !== 201) throw new Error(`signup answered ${signup.status}: ${await signup.text()}`);
  const auth = { authorization: `Bearer ${((await signup.json()) as { accessToken: string }).accessToken}` };

  console.log(`\nSearch over ${count} users (${seconds} s each, Node ${process.version})\n`);
  console.log(tableHeader);
  const others = 'minAge=22&maxAge=45&gender=female&preference=dating&limit=20';
  const variants: [string, string, string, string | string[]][] = [
    ['all filters, q of 4 letters', `q=priy&interests=tag1,tag2,tag3&maxDistanceKm=500&${others}`, 'searchPrefixes', 'priy'],
    ['all filters, q of 3 letters', `q=pri&interests=tag1,tag2,tag3&maxDistanceKm=500&${others}`, 'searchPrefixes', 'pri'],
    [
      '3 interests, 500 km, age, gender, preference',
      `interests=tag1,tag2,tag3&maxDistanceKm=500&${others}`,
      'interests',
      TAGS.slice(1, 4),
    ],
    [
      '50 km, 3 interests, age, gender, preference',
      `interests=tag1,tag2,tag3&maxDistanceKm=50&${others}`,
      'geoCells',
      coveringCells(CENTRE, 50),
    ],
    ['100 km and age only', 'maxDistanceKm=100&minAge=25&limit=20', 'geoCells', coveringCells(CENTRE, 100)],
  ];
  let errors = 0;
  for (const [name, query, field, value] of variants) {
    const ours = await hammer(`${app.url}/api/v1/users/search?${query}`, seconds, 10, auth, app.pid);
    const values = ([] as string[]).concat(value).map((v) => `value=${encodeURIComponent(v)}`);
    const base = await hammer(`${raw.url}/find?field=${field}&${values.join('&')}`, seconds, 10, {}, raw.pid);
    report(`search: ${name} / indexed find, req/s`, ours.rps, base.rps, 'req/s', '>= 0.5');
    report(`search: ${name} / indexed find, p99`, ours.p99, base.p99, 'ms', '<= 2');
    errors += ours.errors + base.errors;
  }
  console.log(`\nnon-2xx or failed requests across the runs: ${errors}`);
} finally {
  stopServers();
  await db.stop();
}
process.exit(0);
