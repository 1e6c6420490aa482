import { Schema, model } from 'mongoose';

/** What is counted as it happens (services/analytics/record.ts). */
export const ACTIVITY_EVENTS = [
  'signup',
  'signin',
  'session',
  'message',
  'swipe',
  'request',
  'connection',
  'match',
  'call',
  'post',
  'like',
  'comment',
  'share',
  'order',
  'payment',
] as const;
export type ActivityEvent = (typeof ACTIVITY_EVENTS)[number];

/**
 * Counted activity, by bucket: `d:<day>` (UTC), `hd:<day>` (that day's counts per hour, `h09_message`),
 * `w:<ISO week>`, `m:<month>`.
 * Counters only grow by $inc as things happen; reports read a few of these documents and
 * never the raw collections. A day's bucket also holds the cohort of that day's sign-ups:
 * how many came back on days 1, 7 and 30, reached their first connection, message and
 * payment, and after how many days they first paid.
 */
const analyticsBucketSchema = new Schema(
  {
    _id: { type: String, required: true },
    counts: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);

export const AnalyticsBucket = model('AnalyticsBucket', analyticsBucketSchema);

/**
 * What has happened once for a person: active on a day, week or month, or a first (their
 * first connection, message, payment). Inserted once (the id is unique), so a counter that
 * follows it is moved once however often the thing happens.
 */
const activityMarkSchema = new Schema(
  {
    _id: { type: String, required: true },
    // Marks of days, weeks and months go after a while; firsts stay.
    expiresAt: { type: Date },
  },
  { versionKey: false },
);

// The cleanup job deletes lapsed marks (FerretDB has no TTL indexes).
activityMarkSchema.index({ expiresAt: 1 });

export const ActivityMark = model('ActivityMark', activityMarkSchema);
