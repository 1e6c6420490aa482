import { Types } from 'mongoose';
import { config } from '../../../config/index.js';
import { TasteSignal } from '../../../models/taste-signal.model.js';
import { User } from '../../../models/user.model.js';
import { errorMessage, logger } from '../../../utils/logger.js';
import { repeatWithoutOverlap } from '../../../utils/repeat.js';
import { withJobLock } from '../../job-lock.js';
import { hiddenUserIds } from '../../people/block.service.js';
import { isInGoodStanding } from '../../people/standing.js';
import { compact, learn } from './model.js';
import { shownNow } from './ranking.js';
import { SIGNAL_MEANING } from './signals.js';
import { TASTE_FIELDS, storedTaste, tasteFeatures, type StoredTaste } from './taste.service.js';

const BATCH = 500;

interface Person {
  model: StoredTaste;
  features: string[];
  /** Whether signals about this person may be learned at all (discoverable, in good standing). */
  learnable: boolean;
  resetAt?: Date | null;
  changed: boolean;
}

async function personOf(id: string): Promise<Person | null> {
  const user = await User.findById(
    id,
    `${TASTE_FIELDS} tasteResetAt settings.privacy.discoverable bannedAt suspendedUntil`,
  ).lean();
  if (!user) return null;
  return {
    model: storedTaste(user),
    features: tasteFeatures(user),
    learnable: user.settings?.privacy?.discoverable !== false && isInGoodStanding(user),
    resetAt: user.tasteResetAt,
    changed: false,
  };
}

/**
 * Applies the oldest queued signals, in order, to the models of the people involved, and
 * deletes them. One process at a time (a lease), so no two learners overwrite each other.
 * Signals are skipped when either person is hidden, banned or suspended, when either has
 * blocked the other, or when they predate a person's reset. Returns how many were read.
 */
export async function learnTasteSignals(limit = BATCH): Promise<number> {
  let read = 0;
  // A lease far longer than a batch takes, so no second process applies the same batch.
  await withJobLock('taste-learner', 10 * 60_000, async () => {
    const signals = await TasteSignal.find({}).sort({ _id: 1 }).limit(limit).lean();
    read = signals.length;
    if (!signals.length) return;
    const people = new Map<string, Person | null>();
    const person = async (id: string) => {
      if (!people.has(id)) people.set(id, await personOf(id));
      return people.get(id)!;
    };
    const hidden = new Map<string, Set<string>>();
    const blocked = async (a: string, b: string) => {
      if (!hidden.has(a)) hidden.set(a, new Set((await hiddenUserIds(a)).map(String)));
      return hidden.get(a)!.has(b);
    };
    const now = Date.now();
    const once = new Set<string>();
    const after = (p: Person, at: Date) => !p.resetAt || at > p.resetAt;

    for (const signal of signals) {
      if (signal.kind === 'shown') {
        for (const id of signal.targetIds ?? []) {
          const p = await person(String(id));
          if (!p || !p.learnable || !after(p, signal.at)) continue;
          p.model = { ...p.model, s: shownNow(p.model.s ?? 0, p.model.sAt, now) + 1, sAt: now };
          p.changed = true;
        }
        continue;
      }
      const [actorId, targetId] = [String(signal.actorId), String(signal.targetId)];
      // One signal per pair and kind per batch: repeating a call or a view a hundred times teaches once.
      const key = `${actorId}>${targetId}:${signal.kind}`;
      if (once.has(key)) continue;
      once.add(key);
      const [actor, target] = [await person(actorId), await person(targetId)];
      if (!actor || !target || !actor.learnable || !target.learnable) continue;
      if (!after(actor, signal.at) || !after(target, signal.at) || (await blocked(actorId, targetId))) continue;
      const meaning = SIGNAL_MEANING[signal.kind];
      const step = learn(actor.model, target.model, target.features, meaning.label, meaning.strength);
      actor.model = { ...actor.model, ...step.actor };
      target.model = { ...target.model, ...step.target };
      if (meaning.mutual) {
        const back = learn(target.model, actor.model, actor.features, meaning.label, meaning.strength);
        target.model = { ...target.model, ...back.actor };
        actor.model = { ...actor.model, ...back.target };
      }
      actor.changed = target.changed = true;
    }

    for (const [id, p] of people) {
      if (!p?.changed) continue;
      const { s, sAt, ...model } = p.model;
      // Written only if the person did not reset meanwhile: a reset is never undone by a batch.
      // One failed write loses that person's step, never the batch: signals are applied once.
      await User.updateOne(
        { _id: new Types.ObjectId(id), tasteResetAt: p.resetAt ?? null },
        { $set: { taste: { ...compact(model), ...(sAt && { s: Math.round((s ?? 0) * 100) / 100, sAt }) } } },
      ).catch((err: unknown) => logger.warn('taste model not saved', { userId: id, error: errorMessage(err) }));
    }
    await TasteSignal.deleteMany({ _id: { $in: signals.map((s) => s._id) } });
  });
  return read;
}

let stop: (() => void) | undefined;

/** Every process offers to learn every TASTE_LEARN_MS; the lease lets one at a time. */
export function startTasteLearner(): void {
  stop ??= repeatWithoutOverlap(config.match.learnMs, 'taste learner', () => learnTasteSignals());
}

export function stopTasteLearner(): void {
  stop?.();
  stop = undefined;
}
