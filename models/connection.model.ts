import { Schema, model } from 'mongoose';

export const CONNECTION_STATUSES = ['interested', 'ignored', 'accepted', 'rejected', 'removed'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/**
 * Everything between two people, one record per pair whatever the direction: a swipe
 * (interested = a pending request, ignored), its answer (accepted = connected,
 * rejected) or a removed connection. The sender is who acted first, and stays, except
 * when the first was a pass: the other's later swipe takes the record over (passedAt).
 */
const connectionSchema = new Schema(
  {
    // The two ids sorted and joined: the unique key that makes a second record impossible.
    pairKey: { type: String, required: true },
    memberIds: { type: [Schema.Types.ObjectId], required: true },
    senderId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    receiverId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    status: { type: String, enum: CONNECTION_STATUSES, required: true },
    reviewedAt: { type: Date },
    connectedAt: { type: Date },
    // A request made by email address ("add a contact"): paid for before the address was looked
    // up, and left out of its sender's sent list, which would tell who uses the address.
    via: { type: String, enum: ['contact'] },
    // Set when this swipe met the receiver's earlier pass (when they passed): it went nowhere,
    // and each side still sees only their own swipe, so no one learns who passed on them.
    passedAt: { type: Date },
    // The id of that pass, which is how the one who passed still sees the record.
    passId: { type: Schema.Types.ObjectId },
    // A pass the other side already knew of the pair for (over a request by address or a
    // past connection): unlike a first pass, it keeps the pair out of both decks.
    pairKnown: { type: Boolean },
    // A pending request by address taken over by a swipe: the id its receiver was told of.
    announcedId: { type: Schema.Types.ObjectId },
  },
  { timestamps: true, versionKey: false },
);

connectionSchema.index({ pairKey: 1 }, { unique: true });
connectionSchema.index({ announcedId: 1 }, { sparse: true });
// Each list is one equality part, newest first: received and sent requests, friends, and
// everyone a user has a record with (discovery leaves them out).
connectionSchema.index({ receiverId: 1, status: 1, _id: -1 });
connectionSchema.index({ senderId: 1, status: 1, _id: -1 });
connectionSchema.index({ memberIds: 1, status: 1, _id: -1 });
// The daily digest counts pending requests per receiver.
connectionSchema.index({ status: 1, receiverId: 1 });

export const Connection = model('Connection', connectionSchema);

export const pairKeyOf = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);
