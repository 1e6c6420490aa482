import { Types } from 'mongoose';
import { TasteSignal, type TasteSignalKind } from '../../../models/taste-signal.model.js';
import { errorMessage, logger } from '../../../utils/logger.js';

type Learned = Exclude<TasteSignalKind, 'shown'>;

/**
 * What each signal teaches: liked (1) or not (0), how strongly, and whether it says the
 * same of both people (a long call is mutual).
 */
export const SIGNAL_MEANING: Record<Learned, { label: 0 | 1; strength: number; mutual?: boolean }> = {
  like: { label: 1, strength: 1 },
  pass: { label: 0, strength: 1 },
  accept: { label: 1, strength: 1.5 },
  decline: { label: 0, strength: 1.5 },
  message: { label: 1, strength: 0.6 },
  match_accept: { label: 1, strength: 1 },
  match_reject: { label: 0, strength: 1 },
  call_long: { label: 1, strength: 2, mutual: true },
  call_short: { label: 0, strength: 0.5, mutual: true },
  view: { label: 1, strength: 0.2 },
};

const queued = (doc: Record<string, unknown>) =>
  void TasteSignal.create({ ...doc, at: new Date() }).catch((err: unknown) =>
    logger.warn('taste signal not queued', { error: errorMessage(err) }),
  );

// Views and cards this process has queued today, per pair: reloading a profile, or paging
// the feed over and over, counts once, so nobody can inflate another's exposure (and so
// hold them back from everyone's feed) or flood the learner.
const seenToday = new Set<string>();
const SEEN_MAX = 200_000;
function firstToday(actorId: string, targetId: string, kind: string): boolean {
  const key = `${kind}:${actorId}>${targetId}:${new Date().toISOString().slice(0, 10)}`;
  if (seenToday.has(key)) return false;
  if (seenToday.size >= SEEN_MAX) seenToday.clear();
  seenToday.add(key);
  return true;
}

/** Queues what `actorId` did towards `targetId` for the learner; off the request's path, never failing it. */
export function noteTaste(actorId: string | Types.ObjectId, targetId: string | Types.ObjectId, kind: Learned): void {
  if (String(actorId) === String(targetId)) return;
  if (kind === 'view' && !firstToday(String(actorId), String(targetId), kind)) return;
  queued({ actorId, targetId, kind });
}

/** Cards a viewer was shown: counted towards each profile's recent exposure. */
export function noteShown(viewerId: string, ids: string[]): void {
  const shownIds = ids.filter((id) => firstToday(viewerId, id, 'shown'));
  if (shownIds.length) queued({ actorId: viewerId, targetIds: shownIds.map((id) => new Types.ObjectId(id)), kind: 'shown' });
}
