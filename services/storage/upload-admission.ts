import { config } from '../../config/index.js';
import { AppError } from '../../utils/app-error.js';
import { MB, quotaExceeded, takeFromDailyCounter } from '../connections/quota.service.js';
import { fileTooLarge } from './image-processing.js';

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

/**
 * Takes an admitted upload's length from its sender's day of reading (the daily counter
 * `<counter>:<user>:<day>`), whatever then becomes of the upload: an account with budget left
 * cannot have upload after refused upload read all day.
 */
export async function takeFromDayOfReading(counter: string, me: string, limit: number, length: number): Promise<void> {
  if (await takeFromDailyCounter(`${counter}:${me}`, me, limit, new Date(), length)) return;
  throw quotaExceeded(`The server reads at most ${Math.floor(limit / MB)} MB of your uploads a day`, { limit });
}

/** A picture's length (a profile photo, a comment's image: UPLOAD_MAX_BYTES), taken from the day's reading of pictures. */
export async function admitPictureLength(me: string, declared: number | undefined): Promise<void> {
  const largest = config.uploads.maxBytes;
  await takeFromDayOfReading('pictureReads', me, largest * PICTURES_READ_PER_DAY, lengthToRead(declared, largest));
}
