/** The S7 population and the messages between bench/match.ts and its worker processes. */
import { randomInt } from 'node:crypto';
import type { JoinInput } from '../services/match/matchmaker.js';
import { generatedUser, pick, TAGS } from './seed.js';

export interface Join {
  userId: string;
  input: JoinInput;
}

export interface JoinOrder {
  matcher: 'ranked' | 'naive';
  store: 'memory' | 'redis';
  prefix: string;
  scenario: 'drain' | 'stream';
  joins: Join[];
  /** Stream: when the first join is due (epoch ms) and how many follow per second, across all workers. */
  startAt: number;
  perSecond: number;
}

export interface WorkerReport {
  /** Per user: when match:found was published to them, their partner, and when the pair had become possible. */
  found: [string, [number, string, number]][];
}

const GENDERS = ['male', 'female', 'non-binary', 'other'];
// Interests people pick follow popularity: a few tags are common, most are rare.
const popularTag = () => TAGS[Math.floor(TAGS.length * Math.random() ** 3)]!;

/** A person who can be matched: ages, genders and distances they look for, as a real crowd would set them. */
export function matchablePerson(i: number) {
  const user = generatedUser(i);
  const age = new Date().getUTCFullYear() - user.dateOfBirth.getUTCFullYear();
  const dating = user.preference === 'dating';
  const others = GENDERS.filter((g) => g !== user.gender);
  return {
    ...user,
    interests: [...new Set([popularTag(), popularTag(), popularTag(), pick(TAGS)])],
    availableForMatching: true,
    lookingFor: {
      genders: dating && randomInt(10) < 7 ? [pick(others)] : [],
      minAge: Math.max(18, age - 5 - randomInt(10)),
      maxAge: age + 5 + randomInt(10),
      maxDistanceKm: pick([200, 1000, 1000, 20_000]),
    },
  };
}

/** What one joins with: most just a mode; some name interests, a few a country. */
export function joinInput(): JoinInput {
  const input: JoinInput = { mode: randomInt(10) < 7 ? 'chat' : 'video' };
  if (randomInt(10) < 3) input.interests = [popularTag(), popularTag()];
  if (randomInt(10) < 2) input.country = pick(['IN', 'IN', 'IN', 'US', 'GB']);
  return input;
}
