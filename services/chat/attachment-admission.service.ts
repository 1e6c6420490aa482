import { config } from '../../config/index.js';
import { AppError } from '../../utils/app-error.js';
import { takeFromDailyCounter } from '../connections/quota.service.js';
import { fileTooLarge } from '../storage/image-processing.js';
import {
  conversationToUploadInto,
  dayOfBytesUsed,
  largestAttachmentBytes,
  MB,
  quotaExceeded,
  roomBeforeUpload,
} from './attachment.service.js';

// What a form holds besides the file: its boundaries, part headers, the kind and a name.
const FORM_BYTES = 16 * 1024;
// The bytes a sender may have nginx read in a day, refused uploads included, against the bytes
// they may keep: room for retries and a mistaken kind, and a refused upload is not free.
const READ_PER_KEPT = 3;

/**
 * Before nginx reads an attachment through the API (GET /conversations/:id/attachments/check,
 * asked with the upload's headers): what the upload itself would meet at its headers, and its
 * length. A member who may send there, with room for one more waiting upload and bytes left
 * today (conversationToUploadInto, roomBeforeUpload); a body that says it is longer than the
 * largest kind takes, or than the day's room left (and its form's few fields), is refused at
 * its length, as it would be at that byte; one that says no length is not read at all (nothing
 * would stop nginx short of the largest kind). What it says is taken from the day's reading,
 * whatever then becomes of it: an account with room cannot have upload after refused upload
 * written to disk all day.
 */
export async function admitAttachmentUpload(me: string, conversationId: string, declared: number | undefined): Promise<void> {
  await conversationToUploadInto(me, conversationId);
  const bytesLeft = await roomBeforeUpload(me);
  if (declared === undefined) throw new AppError('LENGTH_REQUIRED', "Send the upload's length (Content-Length)");
  const largest = largestAttachmentBytes();
  if (declared > largest + FORM_BYTES) throw fileTooLarge(largest);
  if (declared > bytesLeft + FORM_BYTES) throw dayOfBytesUsed(bytesLeft);
  const limit = config.chat.media.bytesPerDay * READ_PER_KEPT;
  if (await takeFromDailyCounter(`chatReads:${me}`, me, limit, new Date(), declared)) return;
  throw quotaExceeded(`The server reads at most ${Math.floor(limit / MB)} MB of your uploads a day`, { limit });
}
