import { config } from '../../config/index.js';
import { WebhookEvent } from '../../models/webhook-event.model.js';
import { errorMessage, logger } from '../../utils/logger.js';
import { audit } from '../audit.service.js';
import { dropIndexIfPresent } from '../database.service.js';
import { sendMail } from '../mail/mail.service.js';

type StoredEvent = Pick<InstanceType<typeof WebhookEvent>, '_id' | 'event' | 'tries' | 'receivedAt' | 'requestId'>;

const FIRST_WAIT_MS = 60_000;
const LONGEST_WAIT_MS = 60 * 60_000;
/** Failures before the admin is told: about half an hour of them (1 + 2 + 4 + 8 + 16 minutes). */
export const STUCK_AFTER_TRIES = 5;

/** How long the job tries an event: a week from receipt (the admin was told after five failures); then only an admin's retry. */
export const GIVE_UP_AFTER_MS = 7 * 24 * 60 * 60_000;

/** When the job first looks at an event: a minute after receipt, time for its own try to finish. */
export const firstRetryAt = (receivedAt: Date) => new Date(receivedAt.getTime() + FIRST_WAIT_MS);

/**
 * Notes a failed try: the next one a minute after the first failure, doubling to an hour
 * (an outage or a held refund heals; a poisoned event stops costing every run). The admin
 * is told once it has failed STUCK_AFTER_TRIES times: its payment waits on a person. A week
 * after receipt the job gives it up (no next try): an admin's retry is what tries it then.
 * The count and the next try are written together, on the count read (two runs failing at
 * once count two tries, never one; nobody sees a count without its time).
 */
export async function failedTry(eventId: string, error: string, now: Date): Promise<void> {
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = await WebhookEvent.findOne(
        { _id: eventId, processedAt: null },
        { event: 1, receivedAt: 1, requestId: 1, tries: 1, stuckToldAt: 1, gaveUpAt: 1 },
      ).lean();
      // Done meanwhile by another run: nothing to note.
      if (!stored) return;
      const tries = (stored.tries ?? 0) + 1;
      const wait = Math.min(FIRST_WAIT_MS * 2 ** (tries - 1), LONGEST_WAIT_MS);
      const givenUp = now.getTime() - stored.receivedAt.getTime() >= GIVE_UP_AFTER_MS;
      const lastError = error.slice(0, 500);
      const noted = await WebhookEvent.updateOne(
        { _id: eventId, processedAt: null, tries: stored.tries ?? null },
        givenUp
          ? // When the job gave up stays: an admin's retry failing after is a try, not another giving up.
            { $set: { tries, gaveUpAt: stored.gaveUpAt ?? now, lastError }, $unset: { nextTryAt: 1 } }
          : { $set: { tries, nextTryAt: new Date(now.getTime() + wait), lastError } },
      );
      if (noted.modifiedCount !== 1) continue;
      // Recorded once: an admin's retry that fails again leaves it given up, and is on the record itself.
      if (givenUp && !stored.gaveUpAt) {
        logger.error('a payment event was given up: only an admin retries it now', { eventId, tries, error: lastError });
        await audit({
          action: 'webhook.given_up',
          actor: 'job',
          requestId: stored.requestId ?? undefined,
          detail: { eventId, event: stored.event, tries, error: lastError },
        }).catch((err: unknown) =>
          logger.error('a given-up payment event was not recorded', { eventId, error: errorMessage(err) }),
        );
      }
      // Told once it has failed often, or when given up before that (an event the job could not get to for days).
      if ((tries >= STUCK_AFTER_TRIES || givenUp) && !stored.stuckToldAt) {
        await tellStuck({ ...stored, tries }, error).catch((err: unknown) =>
          logger.error('the admin was not told of a stuck webhook event', { eventId, error: errorMessage(err) }),
        );
      }
      return;
    }
    logger.error('a failed webhook try was not noted: its count kept changing', { eventId });
  } catch (err) {
    logger.error('a failed webhook try was not noted', { eventId, error: errorMessage(err) });
  }
}

// A claim to tell the admin lapses after this (its process stopped before the mail went).
const TELLING_LEASE_MS = 5 * 60_000;

/**
 * Once per event: claimed for a while (two processes tell once); once the mail went, audited,
 * then marked told, the record written or not (a stop between the mail and the mark tells
 * again: at least once); a mail that did not go gives the claim back for the next failure.
 */
async function tellStuck(stored: StoredEvent, error: string): Promise<void> {
  const claimedAt = new Date();
  const claimed = await WebhookEvent.updateOne(
    {
      _id: stored._id,
      stuckToldAt: null,
      $or: [{ stuckClaimedAt: null }, { stuckClaimedAt: { $lt: new Date(claimedAt.getTime() - TELLING_LEASE_MS) } }],
    },
    { $set: { stuckClaimedAt: claimedAt } },
  );
  if (claimed.modifiedCount !== 1) return;
  const to = config.alerts.adminEmail;
  const { tries } = stored;
  const values = {
    eventId: stored._id,
    event: stored.event,
    tries,
    receivedAt: stored.receivedAt.toISOString(),
    giveUpAt: new Date(stored.receivedAt.getTime() + GIVE_UP_AFTER_MS).toISOString(),
    error,
  };
  if (to && !(await sendMail('adminWebhookStuck', to, values))) {
    await WebhookEvent.updateOne({ _id: stored._id, stuckClaimedAt: claimedAt }, { $set: { stuckClaimedAt: null } });
    return;
  }
  try {
    await audit({
      action: 'webhook.stuck',
      actor: 'job',
      requestId: stored.requestId ?? undefined,
      detail: { eventId: stored._id, event: stored.event, tries, error: error.slice(0, 500) },
    });
  } finally {
    // The mail went: told, even if its record could not be written (else an hourly mail each failure).
    await WebhookEvent.updateOne({ _id: stored._id }, { $set: { stuckToldAt: new Date() } });
  }
}

/**
 * Events the release before stored without a time for their next try (migrations run before
 * the reload, so some arrive after the one that timed the rest): due now, once a minute old.
 * Not those given up (they have none either).
 */
export async function timeUntimedEvents(now: Date): Promise<number> {
  const res = await WebhookEvent.updateMany(
    { processedAt: null, nextTryAt: null, gaveUpAt: null, receivedAt: { $lt: new Date(now.getTime() - FIRST_WAIT_MS) } },
    { $set: { nextTryAt: now } },
  );
  return res.modifiedCount;
}

/** The migration: events stored before tries were timed made due, and the index the job no longer reads dropped. */
export async function timeOldEventTries(): Promise<number> {
  const timed = await timeUntimedEvents(new Date());
  await dropIndexIfPresent('webhookevents', 'processedAt_1_receivedAt_1');
  return timed;
}
