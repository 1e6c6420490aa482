import { Schema, model } from 'mongoose';
import { engagementCounts } from './engagement-counts.js';

export const POST_VISIBILITY = ['public', 'connections'] as const;
export const POST_STATUS = ['processing', 'ready', 'failed'] as const;
export type PostVisibility = (typeof POST_VISIBILITY)[number];

/** A picture's private objects, one per size: views sign short-lived links to them. */
export const imageKeysSchema = new Schema(
  {
    keys: { thumb: String, card: String, full: String },
    width: Number,
    height: Number,
  },
  { _id: false },
);

const renditionSchema = new Schema({ height: Number, width: Number, bandwidth: Number, dir: String }, { _id: false });

/** A reel's private HLS objects under `prefix`: master.m3u8, <dir>/index.m3u8 and segments, poster.jpg. */
const videoSchema = new Schema(
  {
    prefix: String,
    renditions: { type: [renditionSchema], default: undefined },
    durationSec: Number,
    width: Number,
    height: Number,
  },
  { _id: false },
);

/** An upload waiting for the media job: where it is kept and what its bytes are. */
const originalSchema = new Schema({ key: String, type: String, bytes: Number }, { _id: false });

const placeSchema = new Schema(
  {
    name: { type: String, maxlength: 100 },
    // Rounded to about 1 km: a post shows a neighbourhood, never a doorstep.
    lat: Number,
    lng: Number,
  },
  { _id: false },
);

const countersSchema = new Schema(engagementCounts, { _id: false });

/**
 * A photo post (1 to 10 images) or a reel (one video). Media are processed by a job:
 * `processing` -> `ready` (or `failed` with a reason); only ready posts show to others.
 */
const postSchema = new Schema(
  {
    authorId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    caption: { type: String, default: '' },
    hashtags: { type: [String], default: [] },
    mentions: { type: [Schema.Types.ObjectId], default: [] },
    kind: { type: String, enum: ['images', 'video'], required: true },
    images: { type: [imageKeysSchema], default: undefined },
    video: { type: videoSchema, default: undefined },
    originals: { type: [originalSchema], default: [] },
    // Every stored object of the post, deleted with it.
    objects: { type: [String], default: [] },
    storage: { type: String, required: true },
    place: { type: placeSchema, default: undefined },
    geoCells: { type: [String], default: undefined },
    visibility: { type: String, enum: POST_VISIBILITY, default: 'public' },
    status: { type: String, enum: POST_STATUS, default: 'processing' },
    failReason: { type: String },
    processingStartedAt: { type: Date },
    readyAt: { type: Date },
    counters: { type: countersSchema, default: () => ({}) },
    // The author marks a post sensitive; viewers with the sensitive filter on never get it in For You.
    sensitive: { type: Boolean, default: false },
    hiddenAt: { type: Date },
    hiddenReason: { type: String },
    // Who hid or removed it, when staff did: a moderator does not undo an admin's decision.
    hiddenByRole: { type: String },
    deletedAt: { type: Date },
    // Set when ready: equality keys for the feeds (FerretDB serves equality from an index, not ranges).
    readyDay: { type: String },
    readyHour: { type: String },
    tagDays: { type: [String], default: undefined },
    viralAt: { type: Date },
    viralScore: { type: Number },
    viralDay: { type: String },
  },
  { timestamps: true, versionKey: false },
);

// The author's posts, newest first (profile grid, cursor pages).
postSchema.index({ authorId: 1, _id: -1 });
// The clean-up job's search for stuck media jobs.
postSchema.index({ status: 1, processingStartedAt: 1 });
// For You candidates: a day's posts, a hashtag's posts of a day, a day's viral posts; nearby places.
postSchema.index({ readyDay: 1, _id: -1 });
postSchema.index({ readyHour: 1 });
postSchema.index({ tagDays: 1, _id: -1 });
postSchema.index({ viralDay: 1 });
postSchema.index({ geoCells: 1, _id: -1 });

export const Post = model('Post', postSchema);
