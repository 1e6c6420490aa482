import { errorMessage, logger } from '../../utils/logger.js';
import { swipe } from './connection.service.js';
import { consumeRequest } from './quota.service.js';
import { findUserIdByEmail } from '../people/user.service.js';

/**
 * "Add a contact by email": sends a connection request to the account using that
 * address, if any. The caller learns nothing about the address: the same answer, the
 * same work before answering (the lookup), one request of the day's quota spent whatever
 * the address (an empty quota refused up front), the request itself made afterwards and
 * left out of the caller's sent list (it would name the account) until it is answered.
 */
export async function addContactByEmail(me: string, email: string): Promise<void> {
  await consumeRequest(me); // throws QUOTA_EXCEEDED with the usual details
  const target = await findUserIdByEmail(email);
  if (!target || String(target) === me) return;
  void swipe(me, String(target), 'interested', 'contact').catch((err: unknown) => {
    logger.debug('contact request not sent', { reason: errorMessage(err) });
  });
}
