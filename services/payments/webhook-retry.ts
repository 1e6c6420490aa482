import { config } from '../../config/index.js';
import { WebhookEvent } from '../../models/webhook-event.model.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { audit } from '../audit.service.js';
import { dropIndexIfPresent } from '../database.service.js';
import { sendMail } from '../mail/mail.service.js';

export type StoredEvent = Pick<InstanceType<typeof WebhookEvent>, '_id' | 'event' | 'tries' | 'receivedAt' | 'requestId'>;

const FIRST_WAIT_MS = 60_000;
const LONGEST_WAIT_MS = 60 * 60_000;
/** Failures before the admin is told: about half an hour of them (1 + 2 + 4 + 8 + 16 minutes). */
export const STUCK_AFTER_TRIES = 5;

/** When the job first looks at an event: a minute after receipt, time for its own try to finish. */
export const firstRetryAt = (receivedAt: Date) => new Date(receivedAt.getTime() + FIRST_WAIT_MS);

/**
 * Notes a failed try: the next one a minute after the first failure, doubling to an hour
 * (an outage or a held refund heals; a poisoned event stops costing every run). The admin
 * is told once it has failed STUCK_AFTER_TRIES times: its payment waits on a person.
 */
export async function failedTry(stored: StoredEvent, error: string, now: Date): Promise<void> {
  const tries = (stored.tries ?? 0) + 1;
  const wait = Math.min(FIRST_WAIT_MS * 2 ** (tries - 1), LONGEST_WAIT_MS);
  try {
    await WebhookEvent.updateOne(
      { _id: stored._id, processedAt: null },
      { $set: { tries, nextTryAt: new Date(now.getTime() + wait), lastError: error.slice(0, 500) } },
    );
    if (tries >= STUCK_AFTER_TRIES) await tellStuck(stored, tries, error);
  } catch (err) {
    logger.error('a failed webhook try was not noted', { eventId: stored._id, error: errorMessage(err) });
  }
}

/** Once per event: claimed first (two processes tell once), given back if the mail did not go. */
async function tellStuck(stored: StoredEvent, tries: number, error: string): Promise<void> {
  const claimed = await WebhookEvent.updateOne({ _id: stored._id, stuckToldAt: null }, { $set: { stuckToldAt: new Date() } });
  if (claimed.modifiedCount !== 1) return;
  const to = config.alerts.adminEmail;
  const values = { eventId: stored._id, event: stored.event, tries, receivedAt: stored.receivedAt.toISOString(), error };
  if (to && !(await sendMail('adminWebhookStuck', to, values))) {
    await WebhookEvent.updateOne({ _id: stored._id }, { $set: { stuckToldAt: null } });
    return;
  }
  await audit({
    action: 'webhook.stuck',
    actor: 'job',
    requestId: stored.requestId ?? undefined,
    detail: { eventId: stored._id, event: stored.event, tries, error: error.slice(0, 500) },
  });
}

/** Events stored unprocessed before tries were timed: due now (the job's query looks for a time). */
export async function timeOldEventTries(): Promise<number> {
  const res = await WebhookEvent.updateMany({ processedAt: null, nextTryAt: null }, { $set: { nextTryAt: new Date() } });
  await dropIndexIfPresent('webhookevents', 'processedAt_1_receivedAt_1');
  return res.modifiedCount;
}
