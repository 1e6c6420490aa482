import { Schema, model, type InferSchemaType, type Types } from 'mongoose';

/** Every kind of notice a person can get; the templates and preferences are keyed by these. */
export const NOTIFICATION_TYPES = [
  'connection_request',
  'connection_accepted',
  'message',
  'match_found',
  'match_accepted',
  'missed_call',
  'mention',
  'comment',
  'reply',
  'like',
  'share',
  'post_ready',
  'post_failed',
  'membership_granted',
  'membership_expiring',
  'membership_expired',
  'payment_failed',
  'moderation',
  'system',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Notices nobody can switch off: what they say concerns their money, their content or everyone. */
export const ALWAYS_IN_APP: readonly NotificationType[] = ['payment_failed', 'moderation', 'system'];

/** A grouped notice remembers this many of its latest actors, to know them again and to name one; it counts them all. */
export const ACTORS_KEPT = 50;

const notificationSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    type: { type: String, enum: NOTIFICATION_TYPES, required: true },
    // Who caused it, distinct, the most recent last (capped: a viral post's notice keeps its
    // latest ACTORS_KEPT), how many in all, and the latest of them, shown first.
    actorIds: { type: [Schema.Types.ObjectId], default: [] },
    actorCount: { type: Number, default: 0 },
    lastActorId: { type: Schema.Types.ObjectId, default: null },
    target: {
      kind: { type: String },
      id: { type: Schema.Types.ObjectId },
    },
    // Template values that are not people (a plan, a reason).
    data: { type: Map, of: String, default: undefined },
    // While unread, similar notices gather here: `${userId}:${type}:${target}`, unique among
    // unread ones (absent once read, and FerretDB never collides on a missing field).
    openKey: { type: String, default: undefined },
    // Ordering key, renewed when a notice gathers another actor: the newest activity first.
    at: { type: Schema.Types.ObjectId, required: true },
    readAt: { type: Date, default: null },
    // A notice sent to many ("<scheduled notice>:<user>"): at most one each, whoever sends it.
    sourceKey: { type: String, default: undefined },
    // A new notice's "new" announcement (count, devices, inbox): true until made, then false,
    // by the one run that turned it off; one a failure or a crash left is made by the notices
    // job (pending-announcements.ts). Absent on notices outside it (system notices, older ones).
    announcePending: { type: Boolean, default: undefined },
  },
  { timestamps: true, versionKey: false },
);
notificationSchema.index({ userId: 1, at: -1 });
notificationSchema.index({ userId: 1, readAt: 1 });
notificationSchema.index({ openKey: 1 }, { unique: true, sparse: true });
notificationSchema.index({ sourceKey: 1 }, { unique: true, sparse: true });
notificationSchema.index({ announcePending: 1 }, { sparse: true });
// The clean-up job's reads.
notificationSchema.index({ readAt: 1 });
notificationSchema.index({ at: 1 });

export type NotificationDoc = InferSchemaType<typeof notificationSchema> & { _id: Types.ObjectId };
export const Notification = model('Notification', notificationSchema);
