import { config } from '../../config/index.js';
import { AppError } from '../../utils/app-error.js';
import { utcDay } from '../../utils/clock.js';
import { MB } from '../../utils/units.js';
import { giveBackToDailyCounter, quotaExceeded, takeFromDailyCounter } from '../limits/daily-counter.js';
import { fileTooLarge } from '../storage/image-processing.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { sameUpload, uploadTakes } from './upload-takes.store.js';

// What a form holds besides the file: its boundaries, part headers, a few short fields.
export const FORM_BYTES = 16 * 1024;
// The bytes of pictures (profile photos, comment pictures) nginx may read of one account in a
// day, refused ones included: a hundred of the largest.
const PICTURES_READ_PER_DAY = 100;

/**
 * Before nginx reads an upload (its length as the upload says it, X-Upload-Length): one that
 * says no length is not read at all (nothing would stop nginx short of the route's cap); one
 * longer than the largest file it may carry (and its form's few fields) is refused at its
 * length, as it would be at that byte. Answers the length to read.
 */
export function lengthToRead(declared: number | undefined, largest: number): number {
  if (declared === undefined) throw new AppError('LENGTH_REQUIRED', "Send the upload's length (Content-Length)");
  if (declared > largest + FORM_BYTES) throw fileTooLarge(largest);
  return declared;
}

/** An upload nginx asks about: the length it says (X-Upload-Length), and nginx's id for it (X-Request-Id). */
export interface DeclaredUpload {
  length: number | undefined;
  requestId: string;
}

/** An upload's take from its sender's day of reading of `counter` (the daily counter `<counter>:<me>:<day>`). */
export interface TakeFromReading {
  counter: string;
  me: string;
  /** The most the day's reading holds. */
  limit: number;
  length: number;
  /** nginx's id for the upload: its take is given back by it (giveBackReading). */
  requestId: string;
}

/**
 * Takes an admitted upload's length from its sender's day of reading, whatever then becomes
 * of the upload once nginx reads it: an account with budget left cannot have upload after
 * refused upload read all day. The take is kept a while (uploadTakes) for a give-back, and
 * taken once per upload.
 */
export async function takeFromDayOfReading({ counter, me, limit, length, requestId }: TakeFromReading) {
  const now = new Date();
  const take = { counter, me, day: utcDay(now), length };
  if (!(await takeFromDailyCounter(`${counter}:${me}`, me, limit, now, length))) {
    // nginx asking again about an upload taken for already (its first answer lost): admitted on that take.
    const kept = length > 0 ? await uploadTakes().find(requestId, me) : undefined;
    if (kept && sameUpload(kept, take)) return;
    throw quotaExceeded(`The server reads at most ${Math.floor(limit / MB)} MB of your uploads a day`, { limit });
  }
  if (length === 0) return;
  // Kept once taken, so a kept take always stands for bytes taken. nginx asks the other process
  // again when a question failed or timed out: that upload's take is kept already, so this one
  // is undone and one stands (an undo that fails only leaves the sender's own bytes taken).
  if ((await uploadTakes().keep(requestId, take)) === 'again') {
    await giveBackToDailyCounter(`${counter}:${me}`, take.day, length).catch((err: unknown) =>
      logger.warn('a repeated upload check kept its take', { requestId, error: errorMessage(err) }),
    );
  }
}

/** Gives back what the upload nginx knows as `requestId` took from `me`'s reading, when nginx did not read it. */
export async function giveBackReading(requestId: string, me: string): Promise<void> {
  const take = await uploadTakes().claim(requestId, me);
  if (take) await giveBackToDailyCounter(`${take.counter}:${me}`, take.day, take.length);
}

/** The upload nginx knows as `requestId` reached the app, read: nothing of its take is ever given back. */
export function forgetTake(requestId: string, me: string): Promise<void> {
  return uploadTakes().forget(requestId, me);
}

/** A picture's length (a profile photo, a comment's image: UPLOAD_MAX_BYTES), taken from the day's reading of pictures. */
export async function admitPictureLength(me: string, upload: DeclaredUpload): Promise<void> {
  const largest = config.uploads.maxBytes;
  const length = lengthToRead(upload.length, largest);
  await takeFromDayOfReading({
    counter: 'pictureReads',
    me,
    limit: largest * PICTURES_READ_PER_DAY,
    length,
    requestId: upload.requestId,
  });
}
