import { z } from 'zod';
import { csv, defineArea, int, ratio } from '../env-rules.js';
import { MB } from '../../utils/units.js';

/** Posts: sizes, daily allowance, moderation, and when a post counts as viral or a tag as trending. */
export const posts = defineArea({
  vars: {
    POST_MEDIA_MAX_BYTES: int(200 * MB, 1024, 2048 * MB),
    POST_CAPTION_MAX: int(2200, 1, 10_000),
    POSTS_PER_DAY: int(25, 1, 10_000),
    VIDEO_MAX_SECONDS: int(90, 1, 3600),
    VIDEO_MAX_HEIGHT: int(2160, 144, 4320),
    VIDEO_LADDER: z
      .string()
      .regex(/^\d{3,4}(,\d{3,4})*$/, 'heights such as 1080,720,480,360,240')
      .default('1080,720,480,360,240,144'),
    POST_PROFANITY: z.enum(['mask', 'refuse', 'off']).default('mask'),
    MODERATION_TERMS: csv,
    POST_REPORT_HIDE_THRESHOLD: int(3, 1, 1000),
    REPORT_TRUST_MIN_ACCOUNT_DAYS: int(7, 0, 3650),
    VIRAL_MIN_ENGAGEMENT: int(50, 1, 10_000_000),
    VIRAL_THRESHOLD: ratio(3, 1, 1000),
    VIRAL_MIN_LIKE_RATIO: ratio(0.05, 0, 1),
    TRENDING_MIN_ENGAGEMENT: int(30, 1, 10_000_000),
    TRENDING_THRESHOLD: ratio(3, 1, 1000),
    TRENDING_WINDOW_HOURS: int(3, 1, 24),
    TRENDING_BASELINE_HOURS: int(72, 6, 336),
  },
  settings: (e) => ({
    posts: {
      mediaMaxBytes: e.POST_MEDIA_MAX_BYTES,
      captionMax: e.POST_CAPTION_MAX,
      perDay: e.POSTS_PER_DAY,
      videoMaxSeconds: e.VIDEO_MAX_SECONDS,
      videoMaxHeight: e.VIDEO_MAX_HEIGHT,
      // Rendition heights, largest first; a video gets those at or below its own height.
      videoLadder: e.VIDEO_LADDER.split(',')
        .map(Number)
        .sort((a, b) => b - a),
      profanity: e.POST_PROFANITY,
      // Extra words moderation refuses or masks, on top of the profanity library's.
      moderationTerms: e.MODERATION_TERMS.map((t) => t.toLowerCase()),
      reportHideThreshold: e.POST_REPORT_HIDE_THRESHOLD,
      // Only reporters the platform trusts count toward hiding: verified and at least this old.
      reportTrustMinAccountMs: e.REPORT_TRUST_MIN_ACCOUNT_DAYS * 86_400_000,
      viral: { minEngagement: e.VIRAL_MIN_ENGAGEMENT, threshold: e.VIRAL_THRESHOLD, minLikeRatio: e.VIRAL_MIN_LIKE_RATIO },
      trending: {
        minEngagement: e.TRENDING_MIN_ENGAGEMENT,
        threshold: e.TRENDING_THRESHOLD,
        windowHours: e.TRENDING_WINDOW_HOURS,
        baselineHours: e.TRENDING_BASELINE_HOURS,
      },
    },
  }),
});
