import { WebhookEvent } from '../../models/webhook-event.model.js';
import { AppError, notFound } from '../../utils/app-error.js';
import { audit, byStaff, type StaffActor } from '../audit.service.js';
import { processWebhookEvent } from './webhook.service.js';

const VIEW_FIELDS = { event: 1, receivedAt: 1, processedAt: 1, outcome: 1, tries: 1, lastError: 1, nextTryAt: 1, gaveUpAt: 1 };

type EventRecord = {
  _id: string;
  event: string;
  receivedAt: Date;
  processedAt?: Date | null;
  outcome?: string | null;
  tries?: number | null;
  lastError?: string | null;
  nextTryAt?: Date | null;
  gaveUpAt?: Date | null;
};

const eventView = (e: EventRecord) => ({
  id: e._id,
  event: e.event,
  receivedAt: e.receivedAt,
  processedAt: e.processedAt ?? null,
  outcome: e.outcome ?? null,
  tries: e.tries ?? 0,
  lastError: e.lastError ?? null,
  nextTryAt: e.nextTryAt ?? null,
  gaveUpAt: e.gaveUpAt ?? null,
});

/**
 * An admin's retry of a stored payment event (one the job gave up, or one still waiting for
 * its next try): its work tried now (its records name the admin), and the event as
 * that left it. One done already is not done again (a double click answers what the first did);
 * one another try holds now is refused (409: look again). A failure counts as a try; one given
 * up stays given up.
 */
export async function retryPaymentEvent(staff: StaffActor, eventId: string) {
  const before = await WebhookEvent.findById(eventId, VIEW_FIELDS).lean<EventRecord>();
  if (!before) throw notFound('Payment event');
  if (before.processedAt) return eventView(before);
  const tried = await processWebhookEvent(eventId, new Date(), staff.id);
  if (tried === 'unavailable')
    throw new AppError('DATABASE_UNAVAILABLE', 'The event could not be taken up for a try: try again shortly');
  const after = (await WebhookEvent.findById(eventId, VIEW_FIELDS).lean<EventRecord>())!;
  if (tried === 'held' && !after.processedAt) {
    throw new AppError('CONCURRENT_UPDATE', 'This event is being tried right now: look again in a few minutes');
  }
  if (tried === 'tried') {
    const failed = !after.processedAt;
    await audit({
      action: 'webhook.retried',
      ...byStaff(staff),
      detail: {
        eventId,
        event: after.event,
        tries: after.tries ?? 0,
        outcome: after.outcome ?? null,
        error: failed ? (after.lastError ?? null) : null,
      },
    });
  }
  return eventView(after);
}
