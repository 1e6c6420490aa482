import { config } from '../../config/index.js';
import { FORM_BYTES, lengthToRead, takeFromDayOfReading, type DeclaredUpload } from '../uploads/upload-admission.service.js';
import { conversationToUploadInto, dayOfBytesUsed, largestAttachmentBytes, roomBeforeUpload } from './attachment.service.js';

// The bytes a sender may have nginx read in a day, refused uploads included, against the bytes
// they may keep: room for retries and a mistaken kind, and a refused upload is not free.
const READ_PER_KEPT = 3;

/**
 * Before nginx reads an attachment through the API (GET /conversations/:id/attachments/check,
 * asked with the upload's headers): what the upload itself would meet at its headers, and its
 * length. A member who may send there, with room for one more waiting upload and bytes left
 * today (conversationToUploadInto, roomBeforeUpload); its length as lengthToRead takes it, and
 * refused at its length past the day's room left (and its form's few fields). What it says is
 * taken from the day's reading (takeFromDayOfReading), given back only if nginx then reads none
 * of it.
 */
export async function admitAttachmentUpload(me: string, conversationId: string, upload: DeclaredUpload): Promise<void> {
  await conversationToUploadInto(me, conversationId);
  const bytesLeft = await roomBeforeUpload(me);
  const length = lengthToRead(upload.length, largestAttachmentBytes());
  if (length > bytesLeft + FORM_BYTES) throw dayOfBytesUsed(bytesLeft);
  await takeFromDayOfReading({
    counter: 'chatReads',
    me,
    limit: config.chat.media.bytesPerDay * READ_PER_KEPT,
    length,
    requestId: upload.requestId,
  });
}
