/** Generated people for the benchmarks: written straight to the database, plus a real signup. */
import { randomInt } from 'node:crypto';
import mongoose from 'mongoose';
import { pairKeyOf } from '../models/connection.model.js';
import { geoCellsOf } from '../utils/geo.js';
import { nameSearchKeys } from '../utils/search-keys.js';

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
export const FIRST = ONSETS.flatMap((o) => ENDINGS.map((e) => o + e));
const LAST = ENDINGS.flatMap((e) => ONSETS.map((o) => `${o}${e}son`));
export const TAGS = Array.from({ length: 100 }, (_, i) => `tag${i}`);
const GENDERS = ['male', 'female', 'non-binary', 'other'];
export const pick = <T>(list: readonly T[]) => list[randomInt(list.length)]!;
// People spread over a region about 2,000 km across, as a national launch would have them.
export const CENTRE = { lat: 19, lng: 77 };
const randomPoint = () => ({ lat: 10 + randomInt(18_000) / 1000, lng: 68 + randomInt(18_000) / 1000 });

export function generatedUser(i: number) {
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

/** `count` generated users, inserted in batches (after the app has created the indexes). */
export async function seedUsers(uri: string, count: number): Promise<mongoose.Types.ObjectId[]> {
  const conn = await mongoose.createConnection(uri).asPromise();
  const users = conn.db!.collection('users');
  const ids: mongoose.Types.ObjectId[] = [];
  for (let i = 0; i < count; i += 500) {
    const batch = Array.from({ length: Math.min(500, count - i) }, (_, j) => ({
      _id: new mongoose.Types.ObjectId(),
      ...generatedUser(i + j),
    }));
    await users.insertMany(batch);
    ids.push(...batch.map((u) => u._id));
  }
  await conn.close();
  return ids;
}

/** The stored form of an accepted connection between two people (a friend pair). */
export function acceptedConnection(a: string, b: string, now = new Date()) {
  const { ObjectId } = mongoose.Types;
  return {
    pairKey: pairKeyOf(a, b),
    memberIds: [a, b].sort().map((id) => new ObjectId(id)),
    senderId: new ObjectId(a),
    receiverId: new ObjectId(b),
    status: 'accepted',
    createdAt: now,
    updatedAt: now,
  };
}

let signups = 0;
/** Signs a user up through the API at the centre and returns its id and Bearer header. */
export async function signupAt(appUrl: string, extra: Record<string, unknown> = {}) {
  const tag = `${Date.now()}${++signups}`;
  const res = await fetch(`${appUrl}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      firstName: 'Bench',
      lastName: 'User',
      gender: 'other',
      dateOfBirth: '1995-01-01',
      email: `bench-${tag}@bench.test`,
      phone: `+1556${tag.slice(-8)}`,
      username: `bench_${tag}`,
      password: 'bench password 123',
      preference: 'dating',
      interests: ['tag1'],
      location: CENTRE,
      locationConsent: true,
      ...extra,
    }),
  });
  if (res.status !== 201) throw new Error(`signup answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { accessToken: string; user: { id: string } };
  return { authorization: `Bearer ${body.accessToken}`, id: body.user.id };
}
