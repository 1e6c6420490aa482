import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { TasteSignal } from '../../../models/taste-signal.model.js';
import { User } from '../../../models/user.model.js';
import { ageOn } from '../../../utils/age.js';
import { runtime } from '../../runtime-settings.service.js';
import { DIM, emptyModel, featuresOf, type TasteModel } from './model.js';
import { shownNow, type Side } from './ranking.js';

/** What the matcher stores per person: the model, and their recent exposure (`s` at `sAt`). */
export type StoredTaste = TasteModel & { s?: number; sAt?: number };

/** The profile fields the model reads, for projections. */
export const TASTE_FIELDS = 'interests gender dateOfBirth settings.privacy.showAge taste';

type TasteSource = {
  _id: unknown;
  interests?: string[] | null;
  gender?: string | null;
  dateOfBirth?: Date | null;
  settings?: { privacy?: { showAge?: boolean | null } | null } | null;
  taste?: unknown;
};

const isVector = (v: unknown): v is number[] => Array.isArray(v) && v.length === DIM && v.every((x) => typeof x === 'number');

/** The stored model when it is whole, else a fresh one (a reset, a new person, a damaged document). */
export function storedTaste(user: TasteSource): StoredTaste {
  const t = user.taste as Partial<StoredTaste> | undefined;
  if (t && typeof t === 'object' && isVector(t.t) && isVector(t.a) && typeof t.b === 'number' && t.w && typeof t.w === 'object') {
    return { w: t.w, t: t.t, a: t.a, b: t.b, n: t.n ?? 0, s: t.s, sAt: t.sAt };
  }
  return emptyModel(String(user._id));
}

/**
 * Only what a card shows: a deck ordered by a hidden age (or by the country, never shown)
 * would tell anyone who trained their own taste on one band which cards fall in it.
 */
export const tasteFeatures = (user: TasteSource) =>
  featuresOf({
    id: String(user._id),
    interests: user.interests,
    gender: user.gender,
    age: user.dateOfBirth && user.settings?.privacy?.showAge !== false ? ageOn(user.dateOfBirth) : null,
  });

/** One side of a ranking: the person's model, attributes and recent exposure. */
export function sideOf(user: TasteSource, now = Date.now()): Side {
  const model = storedTaste(user);
  return { model, features: tasteFeatures(user), shown: shownNow(model.s ?? 0, model.sAt, now) };
}

/** What a matchmaking ticket carries of the model (the queue in Redis is its cache while waiting). */
export function tasteTicket(userId: string, user: TasteSource) {
  const { model, features } = sideOf(user);
  const { w, t, a, b, n } = model;
  return { model: { w, t, a, b, n }, features, weight: variantOf(userId) === 'adaptive' ? runtime().matchingBlend : 0 };
}

export type Variant = 'explicit' | 'adaptive';

/**
 * Which ranking a person gets: the admins' switch, and under `ab` a fixed half of people
 * each (by a hash of the id, so a person stays in their half).
 */
export function variantOf(userId: string): Variant {
  const { matchingMode } = runtime();
  if (matchingMode !== 'ab') return matchingMode;
  return createHash('sha256').update(`ab:${userId}`).digest()[0]! & 1 ? 'adaptive' : 'explicit';
}

/**
 * Forgets what was learned of a person's tastes and how they come across (attribute
 * weights and embeddings); their own queued signals are dropped and none from before now is
 * learned. What others' choices say of them in aggregate stays (appeal, signal count,
 * exposure): a reset must not wash away being passed on, or a hold-back, or bring the
 * newcomer share back.
 */
export async function resetTaste(userId: string): Promise<void> {
  const id = new Types.ObjectId(userId);
  const user = await User.findById(id, { taste: 1 }).lean();
  const { b, n, s, sAt } = user?.taste ? storedTaste(user) : ({} as Partial<StoredTaste>);
  const kept = b === undefined ? undefined : { ...emptyModel(userId), b, n: n ?? 0, ...(sAt && { s, sAt }) };
  await User.updateOne(
    { _id: id },
    {
      ...(kept
        ? { $set: { taste: kept, tasteResetAt: new Date() } }
        : { $unset: { taste: 1 }, $set: { tasteResetAt: new Date() } }),
    },
  );
  await TasteSignal.deleteMany({ actorId: id });
}

/** An account's deletion: everything goes, and everything queued about it either way. */
export async function forgetTaste(userId: string): Promise<void> {
  const id = new Types.ObjectId(userId);
  await User.updateOne({ _id: id }, { $unset: { taste: 1 }, $set: { tasteResetAt: new Date() } });
  await Promise.all([
    TasteSignal.deleteMany({ actorId: id }),
    TasteSignal.deleteMany({ targetId: id }),
    TasteSignal.updateMany({ targetIds: id }, { $pull: { targetIds: id } }),
  ]);
}
