import { errorMessage, logger } from '../../utils/logger.js';
import { swipe } from './connection.service.js';
import { consumeRequest, getQuota } from './quota.service.js';
import { findUserIdByEmail } from '../people/user.service.js';

/**
 * "Add a contact by email": sends a connection request to the account using that
 * address, if any. The caller learns nothing about the address: the same answer, the
 * same work before answering (the lookup), and the request itself made afterwards.
 * Only an empty quota is refused up front, whatever the address.
 */
export async function addContactByEmail(me: string, email: string): Promise<void> {
  const quota = await getQuota(me);
  if (quota.remaining === 0) await consumeRequest(me); // throws QUOTA_EXCEEDED with the usual details
  const target = await findUserIdByEmail(email);
  if (!target || String(target) === me) return;
  void swipe(me, String(target), 'interested').catch((err: unknown) => {
    logger.debug('contact request not sent', { reason: errorMessage(err) });
  });
}
