import { config } from '../../config/index.js';
import { AppError } from '../../utils/app-error.js';
import { nextUtcMidnight } from '../../utils/clock.js';
import { takeFromDailyCounter } from '../connections/quota.service.js';
import { fileTooLarge } from '../storage/image-processing.js';
import { dayOfBytesUsed } from './attachment.service.js';

// What a form holds besides the file: its boundaries, part headers, the kind and a name.
const FORM_BYTES = 16 * 1024;
// The bytes a sender may have nginx read in a day, refused uploads included, against the bytes
// they may keep: room for retries and a mistaken kind, and a refused upload is not free.
const READ_PER_KEPT = 3;
const MB = 1024 * 1024;

/**
 * Before nginx reads an upload through the API (it asks with the upload's headers, after
 * roomBeforeUpload): a body that says it is longer than the largest kind takes, or than the
 * day's room left (and its form's few fields), is refused at its length, as it would be at that
 * byte; one that says no length is not read at all (nothing would stop nginx short of the
 * largest kind). What it says is taken from the day's reading, whatever then becomes of it: an
 * account with room cannot have upload after refused upload written to disk all day.
 */
export async function admitUpload(me: string, declared: number | undefined, bytesLeft: number): Promise<void> {
  if (declared === undefined) throw new AppError('LENGTH_REQUIRED', "Send the upload's length (Content-Length)");
  const largest = Math.max(...Object.values(config.chat.media.maxBytes));
  if (declared > largest + FORM_BYTES) throw fileTooLarge(largest);
  if (declared > bytesLeft + FORM_BYTES) throw dayOfBytesUsed(bytesLeft);
  const limit = config.chat.media.bytesPerDay * READ_PER_KEPT;
  if (await takeFromDailyCounter(`chatReads:${me}`, me, limit, new Date(), declared)) return;
  throw new AppError('QUOTA_EXCEEDED', `The server reads at most ${Math.floor(limit / MB)} MB of your uploads a day`, {
    limit,
    resetAt: nextUtcMidnight(new Date()).toISOString(),
  });
}
