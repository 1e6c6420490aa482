import { Schema, model } from 'mongoose';
import { z } from 'zod';

/** What admins may change without a deploy; each value checked as strictly as its variable is. */
export const RUNTIME_SETTINGS = {
  /** Chat only for plans with chat (CHAT_REQUIRES_PLAN). */
  chatRequiresPlan: z.boolean({ error: 'must be true or false' }),
  /** Posts one person may create per UTC day (POSTS_PER_DAY). */
  postsPerDay: z.number({ error: 'must be a number' }).int().min(1).max(1000),
  /** Connection requests a day on the free and Gold plans (PLAN_*_DAILY_REQUESTS). */
  freeDailyRequests: z.number({ error: 'must be a number' }).int().min(0).max(100_000),
  goldDailyRequests: z.number({ error: 'must be a number' }).int().min(0).max(100_000),
  /** Words masked in captions and comments, besides the built-in list (MODERATION_TERMS). */
  /** The adaptive matcher: off, on or an A/B split by user (MATCHING_MODE), and its blend (MATCHING_BLEND). */
  matchingMode: z.enum(['explicit', 'adaptive', 'ab'], { error: 'must be explicit, adaptive or ab' }),
  matchingBlend: z.number({ error: 'must be a number' }).min(0).max(1),
  moderationTerms: z
    .array(z.string({ error: 'must be words' }).trim().min(1).max(60).toLowerCase(), { error: 'must be a list of words' })
    .max(500),
};
export type RuntimeKey = keyof typeof RUNTIME_SETTINGS;

/**
 * One version of the settings admins change without a deploy: the values set over the
 * deployment's own (config), who set them and when. Versions are only added (the number
 * is unique, so two changes at once cannot both become the next); the highest is in force.
 */
const runtimeSettingsSchema = new Schema(
  {
    version: { type: Number, required: true },
    overrides: { type: Schema.Types.Mixed, required: true },
    changedBy: { type: Schema.Types.ObjectId, required: true },
    note: { type: String, maxlength: 500 },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

runtimeSettingsSchema.index({ version: -1 }, { unique: true });

export const RuntimeSettings = model('RuntimeSettings', runtimeSettingsSchema);
