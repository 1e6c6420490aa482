/** The engagement a post counts: on the post itself, per day and per hour. */
export const engagementCounts = {
  views: { type: Number, default: 0 },
  likes: { type: Number, default: 0 },
  comments: { type: Number, default: 0 },
  shares: { type: Number, default: 0 },
  bookmarks: { type: Number, default: 0 },
};

export const COUNTER_NAMES = ['views', 'likes', 'comments', 'shares', 'bookmarks'] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
