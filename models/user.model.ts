import { Schema, model } from 'mongoose';
import { LANGUAGES } from '../config/constants.js';
import { MAX_AGE, MIN_AGE } from '../utils/age.js';

export const GENDERS = ['male', 'female', 'non-binary', 'other'] as const;
export const PREFERENCES = ['dating', 'friendship'] as const;
export const ROLES = ['user', 'moderator', 'admin'] as const;
export const AVAILABILITY = ['online', 'away', 'busy', 'invisible'] as const;
export const PLANS = ['free', 'gold', 'premium'] as const;
export const REQUEST_EMAILS = ['immediate', 'daily', 'off'] as const;

const locationSchema = new Schema(
  {
    lat: { type: Number, min: -90, max: 90, required: true },
    lng: { type: Number, min: -180, max: 180, required: true },
    updatedAt: { type: Date, required: true },
  },
  { _id: false },
);

const lookingForSchema = new Schema(
  {
    genders: { type: [String], enum: GENDERS, default: [] },
    minAge: { type: Number, min: MIN_AGE, max: MAX_AGE, default: MIN_AGE },
    maxAge: { type: Number, min: MIN_AGE, max: MAX_AGE, default: MAX_AGE },
    maxDistanceKm: { type: Number, min: 1, max: 20_000, default: 100 },
  },
  { _id: false },
);

/** A stored picture: the objects to delete with it and the URL of each served size. */
const photoSchema = new Schema(
  {
    id: { type: String, required: true },
    provider: { type: String, enum: ['local', 's3', 'cloudinary'], required: true },
    objects: { type: [String], default: [] },
    urls: {
      type: new Schema(
        {
          thumb: { type: String, required: true },
          card: { type: String, required: true },
          full: { type: String, required: true },
        },
        { _id: false },
      ),
      required: true,
    },
    width: { type: Number, required: true },
    height: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { _id: false },
);

const settingsSchema = new Schema(
  {
    notifications: {
      email: { type: Boolean, default: true },
      push: { type: Boolean, default: true },
      // Emails about connection requests: one per request, a daily digest, or none.
      requests: { type: String, enum: REQUEST_EMAILS, default: 'immediate' },
    },
    privacy: {
      showAge: { type: Boolean, default: true },
      showDistance: { type: Boolean, default: true },
      readReceipts: { type: Boolean, default: true },
      // false hides the profile from search and discovery (profile links still work for connections later).
      discoverable: { type: Boolean, default: true },
    },
  },
  { _id: false },
);

const userSchema = new Schema(
  {
    firstName: { type: String, required: true, maxlength: 50 },
    lastName: { type: String, required: true, maxlength: 50 },
    gender: { type: String, enum: GENDERS, required: true },
    dateOfBirth: { type: Date, required: true },
    // Stored lower-cased, so the unique index is case-insensitive on every server.
    email: { type: String, required: true, lowercase: true, trim: true, maxlength: 254 },
    emailVerified: { type: Boolean, default: false },
    phone: { type: String, maxlength: 16 },
    username: { type: String, required: true, lowercase: true, minlength: 3, maxlength: 30 },
    passwordHash: { type: String, select: false },
    passwordChangedAt: { type: Date },
    // When the owner was last mailed that failures paused sign-ins from new devices (once a day at most).
    signInsPausedToldAt: { type: Date },
    // Tries of that mail the provider refused in a row, and when the last was: each waits twice
    // the last (1 h, 2 h, ...); a refusal two days after the last starts again at one.
    signInsPausedMailFailures: { type: Number },
    signInsPausedMailFailedAt: { type: Date },
    // Providers that sign in to this account (their subjects are in OAuthIdentity); with the
    // password, the ways in. authVersion is bumped by each change, so two unlinks at once
    // cannot both see a method the other is removing (oauth.service).
    linkedProviders: { type: [String], default: [] },
    authVersion: { type: Number, default: 0 },
    // Bumped each time the account's sessions are ended (session.service revokeUserSessions).
    sessionEpoch: { type: Number, default: 0 },
    preference: { type: String, enum: PREFERENCES, required: true },
    interests: { type: [String], default: [] },
    bio: { type: String, maxlength: 500, default: '' },
    // ISO 3166-1 alpha-2, as the person gave it: regional notices go by it.
    country: { type: String, match: /^[A-Z]{2}$/ },
    // What notices, pushes and notice mails are written in (English when unknown).
    language: { type: String, enum: LANGUAGES },
    lookingFor: { type: lookingForSchema, default: () => ({}) },
    settings: { type: settingsSchema, default: () => ({}) },
    availability: { type: String, enum: AVAILABILITY, default: 'online' },
    availableForMatching: { type: Boolean, default: false },
    locationConsent: { type: Boolean, default: false },
    location: { type: locationSchema, required: false },
    // Grid cells around the location at several sizes, so "within N km" is an equality lookup (utils/geo.ts).
    geoCells: { type: [String], default: undefined },
    // Normalised names and every prefix of them, so name search is an equality lookup (utils/search-keys.ts).
    searchNames: { type: [String], default: [] },
    searchPrefixes: { type: [String], default: [] },
    avatar: { type: photoSchema, required: false },
    gallery: { type: [photoSchema], default: [] },
    // Bumped by every change of avatar or gallery; writers check it so two edits never overwrite each other.
    photosVersion: { type: Number, default: 0 },
    role: { type: String, enum: ROLES, default: 'user' },
    plan: { type: String, enum: PLANS, default: 'free' },
    planExpiresAt: { type: Date },
    verifiedBadge: { type: Boolean, default: false },
    // The badge came with Premium (not from an admin), so the plan's end takes it away.
    badgeFromPlan: { type: Boolean, default: false },
    // An admin gave or took away the badge: a plan's start or end no longer changes it.
    badgeByStaff: { type: Boolean, default: false },
    // Payments whose membership time was added, so each is added once (see membership.service).
    membershipPaymentIds: { type: [Schema.Types.ObjectId], default: [] },
    // The expiry a reminder email went out for, so it goes once.
    planReminderFor: { type: Date },
    bannedAt: { type: Date },
    // A suspension for a period (staff): sign-in refused until then, with the reason given.
    suspendedUntil: { type: Date },
    suspensionReason: { type: String, maxlength: 500 },
    // Who set the suspension (a moderator may not change an admin's).
    suspendedByRole: { type: String },
    // The owner deleted the account: an emptied, suspended shell (services/people/account-deletion.service.ts).
    deletedAt: { type: Date },
    // Deleted, its scrub (posts, messages, files, groups) not finished: the clean-up job resumes it.
    deletionPending: { type: Boolean },
    deletionDoneAt: { type: Date },
    // What the scrub is yet to go through: photo files (the photo fields go with the mark) and
    // the conversations it was a member of (their member rows go with the scrub).
    deletionObjects: { type: [String], default: undefined },
    deletionConversations: { type: [Schema.Types.ObjectId], default: undefined },
    lastActiveAt: { type: Date },
    // What the adaptive matcher learned (services/match/taste): never read unless asked for,
    // so no profile, own or public, carries it.
    taste: { type: Schema.Types.Mixed, select: false },
    // Signals from before this instant are not learned (the person reset their model).
    tasteResetAt: { type: Date, select: false },
    // When the last socket closed (after the presence grace period).
    lastSeenAt: { type: Date },
  },
  {
    timestamps: true,
    toJSON: {
      versionKey: false,
      transform(_doc, ret: Record<string, unknown>) {
        ret.id = String(ret._id);
        delete ret._id;
        delete ret.passwordHash;
        return ret;
      },
    },
  },
);

userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ username: 1 }, { unique: true });
// Deletions cut short, for the clean-up job to finish.
userSchema.index({ deletionPending: 1, deletedAt: 1 });
// Sparse: accounts from social sign-in may have no phone (FerretDB ignores sparse but never collides on missing fields).
userSchema.index({ phone: 1 }, { unique: true, sparse: true });

// Search: each filter's equality part, newest first within it (see services/search.service.ts).
userSchema.index({ searchPrefixes: 1, _id: -1 });
userSchema.index({ interests: 1, _id: -1 });
userSchema.index({ geoCells: 1, _id: -1 });
// The membership job: paid plans by expiry.
userSchema.index({ plan: 1, planExpiresAt: 1 });
// Scheduled notices walk a segment in id order.
userSchema.index({ plan: 1, _id: 1 });
userSchema.index({ country: 1, _id: 1 }, { sparse: true });

export const User = model('User', userSchema);
