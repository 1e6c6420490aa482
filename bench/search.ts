/**
 * npm run bench:search: GET /api/v1/users/search over 10,000 generated users against a
 * plain indexed find of a page on the raw driver, in the same run. Reports throughput
 * and p99 ratios (docs/benchmarks.md keeps a run). BENCH_SECONDS (default 8) and
 * BENCH_USERS (default 10000) tune it; the database is chosen as in bench/run.ts.
 */
import { coveringCells } from '../utils/geo.js';
import { benchDatabase, serve, stopServers, tableHeader, versus } from './harness.js';
import { CENTRE, seedUsers, signupAt, TAGS } from './seed.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const count = Number(process.env.BENCH_USERS ?? 10_000);
const db = await benchDatabase();

try {
  const app = await serve(db.uri, 'app', 4111, { LOG_LEVEL: 'warn' });
  const raw = await serve(db.uri, 'rawfind', 4112);

  await seedUsers(db.uri, count);
  const { authorization } = await signupAt(app.url, { firstName: 'Search', interests: ['tag1'] });
  const auth = { authorization };

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
    const values = ([] as string[]).concat(value).map((v) => `value=${encodeURIComponent(v)}`);
    errors += await versus(
      `search: ${name} / indexed find`,
      seconds,
      { url: `${app.url}/api/v1/users/search?${query}`, headers: auth, pid: app.pid },
      { url: `${raw.url}/find?field=${field}&${values.join('&')}`, pid: raw.pid },
    );
  }
  console.log(`\nnon-2xx or failed requests across the runs: ${errors}`);
} finally {
  stopServers();
  await db.stop();
}
process.exit(0);
