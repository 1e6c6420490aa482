import { WebhookEvent } from '../../models/webhook-event.model.js';
import { notFound } from '../../utils/app-error.js';
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
 * its next try): its work tried now, and the event as that left it. One done already is not
 * done again (a double click answers what the first did). A failure counts as a try; one
 * given up stays given up.
 */
export async function retryPaymentEvent(staff: StaffActor, eventId: string) {
  const before = await WebhookEvent.findById(eventId, VIEW_FIELDS).lean<EventRecord>();
  if (!before) throw notFound('Payment event');
  if (before.processedAt) return eventView(before);
  await audit({
    action: 'webhook.retried',
    ...byStaff(staff),
    detail: { eventId, event: before.event, tries: before.tries ?? 0 },
  });
  await processWebhookEvent(eventId);
  return eventView((await WebhookEvent.findById(eventId, VIEW_FIELDS).lean<EventRecord>())!);
}
