import { config } from '../../config/index.js';
import { AlertCounter } from '../../models/alert-counter.model.js';
import { Connection } from '../../models/connection.model.js';
import { DigestLog } from '../../models/digest-log.model.js';
import { User } from '../../models/user.model.js';
import { insertedOnce } from '../../utils/duplicate-key.js';
import { logger } from '../../utils/logger.js';
import { visibleRequestCount } from '../connections/connection.service.js';
import { mayEmail, RECIPIENT_FIELDS } from '../notifications/channels.js';

import { sendMail } from './mail.service.js';
import { utcDay } from '../../utils/clock.js';

/**
 * "You have N pending requests" to everyone who chose the daily digest. Each send first
 * claims `${userId}:${day}` (a unique key), so a restart, a second run or a second
 * process never mails anyone twice in a day.
 */
export async function sendRequestDigests(now = new Date()): Promise<number> {
  const day = utcDay(now);
  const receivers = await Connection.distinct('receiverId', { status: 'interested' });
  let sent = 0;
  for (const receiverId of receivers) {
    const user = await User.findById(receiverId, RECIPIENT_FIELDS).lean();
    // Mail only to a proven address with mail on: never a stranger's someone signed up with.
    if (!user || !mayEmail(user) || user.settings?.notifications?.requests !== 'daily') continue;
    // The count the received list shows: none from someone blocked or banned.
    const count = await visibleRequestCount(String(receiverId));
    if (count === 0) continue;
    if (!(await insertedOnce(() => DigestLog.create({ _id: `${String(receiverId)}:${day}`, day })))) continue;
    await sendMail('requestDigest', user.email, { firstName: user.firstName, count, link: `${config.appUrl}/requests` });
    sent++;
  }
  logger.info('request digest done', { day, sent });
  return sent;
}

/**
 * The batched admin alert: takes the count of new connections and resets it in one
 * atomic update, so two processes never report the same connections.
 */
export async function sendAdminConnectionAlert(now = new Date()): Promise<number> {
  const to = config.alerts.adminEmail;
  if (!to) return 0;
  const taken = await AlertCounter.findOneAndUpdate(
    { _id: 'connections', pending: { $gt: 0 } },
    { $set: { pending: 0, since: now } },
  );
  if (!taken) return 0;
  await sendMail('adminConnections', to, { count: taken.pending, since: (taken.since ?? now).toISOString() });
  return taken.pending;
}
