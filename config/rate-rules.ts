/**
 * Per-account and per-address budgets of every write and every expensive read: how many
 * per window. `RATE_LIMITS` overrides any of them: `name:user/ip@seconds`, comma
 * separated (`message:60@60,write:300/1200@60`; `-` for no limit on that side).
 */
export interface RateRule {
  /** Per account, per window; undefined: no per-account limit. */
  user?: number;
  /** Per client address, per window. */
  ip?: number;
  windowMs: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

export const DEFAULT_RATE_RULES = {
  /** Every write under /api/v1 (any method but GET, HEAD, OPTIONS), whatever the route. */
  write: { user: 300, ip: 1200, windowMs: MINUTE },
  /** Chat messages, over HTTP or the socket. */
  message: { user: 120, windowMs: MINUTE },
  comment: { user: 20, windowMs: MINUTE },
  /** Likes and unlikes of posts, reactions to messages. */
  like: { user: 120, windowMs: MINUTE },
  share: { user: 30, windowMs: MINUTE },
  bookmark: { user: 120, windowMs: MINUTE },
  report: { user: 20, windowMs: HOUR },
  /** Password confirmations in a session (and password changes, which ask the current one): a stolen token must not become a guessing oracle. */
  reauthenticate: { user: 5, windowMs: 15 * MINUTE },
  search: { user: 60, ip: 300, windowMs: MINUTE },
  discover: { user: 60, ip: 300, windowMs: MINUTE },
  /** Reads of another person's profile (each also a signal for the matcher). */
  profile: { user: 300, ip: 1200, windowMs: MINUTE },
  /** Resets of what the matcher learned: a few a day. */
  tasteReset: { user: 3, windowMs: 24 * HOUR },
  /** Reads of Following, For You, Trending and Nearby. */
  feed: { user: 120, ip: 600, windowMs: MINUTE },
  /** Lists that check each item they show: a post's likers and comments, an author's posts, one's bookmarks. */
  postLists: { user: 120, ip: 600, windowMs: MINUTE },
  /** One's connections, requests, matches, calls and blocks: a person's card read for each row. */
  peopleLists: { user: 120, ip: 600, windowMs: MINUTE },
  /** Reads of chat history, of one's conversation list and syncs. */
  history: { user: 240, windowMs: MINUTE },
  /** Reads of one's notices and their unread count. */
  notifications: { user: 240, windowMs: MINUTE },
  presence: { user: 60, windowMs: MINUTE },
  /** Moving one's location: enough for travel, too few to triangulate anyone. */
  location: { user: 10, windowMs: HOUR },
  swipe: { user: 120, windowMs: MINUTE },
  block: { user: 30, windowMs: HOUR },
  /** Posts and their uploads: counted before a byte of the upload is read. */
  post: { user: 10, ip: 60, windowMs: MINUTE },
  photo: { user: 30, ip: 120, windowMs: HOUR },
  /** Confirmations of direct photo uploads: each reads and decodes the image, as an upload does. */
  photoConfirm: { user: 30, ip: 120, windowMs: HOUR },
  /** Chat attachments, through the API or a direct upload ticket: counted before a byte is read. */
  attachment: { user: 30, ip: 120, windowMs: MINUTE },
  /**
   * nginx's question before it reads an attachment: how often one account may ask. (What nginx
   * then reads is bounded by the upload's own budget above, which the question reads, and by a
   * day's reading: services/chat/attachment-admission.service.ts.) Per account only: an address's
   * budget here would be spent by a few throwaway accounts asking about conversations they are
   * not in, and lock out everyone behind it.
   */
  attachmentCheck: { user: 30, windowMs: MINUTE },
  /** The same question before a profile photo or a comment (its picture) is read; their budgets are photo and comment. */
  pictureCheck: { user: 60, windowMs: MINUTE },
  /** Completions of direct chat uploads: each asks the store for the object (a billed request). */
  attachmentConfirm: { user: 60, ip: 240, windowMs: MINUTE },
  conversation: { user: 30, windowMs: MINUTE },
  matchJoin: { user: 30, windowMs: MINUTE },
  call: { user: 20, windowMs: MINUTE },
  /** ICE server lists: each may carry TURN credentials, a relay for their lifetime. */
  iceServers: { user: 60, windowMs: HOUR },
  /** Staff reads of the user list and of user records: a stolen staff token must not export the user base. */
  staffLookups: { user: 300, windowMs: MINUTE },
  /**
   * Password and provider sign-ins from one address, right or wrong: failures have budgets of
   * their own (LOGIN_MAX_FAILURES_*), but a correct password counted nowhere, and each is a
   * bcrypt check everyone's sign-ins wait in line for (or a call to the provider's API).
   */
  signIn: { ip: 60, windowMs: MINUTE },
  /** Checkout answers (POST /payments/verify): each one not yet applied asks Razorpay's API. */
  paymentVerify: { user: 30, ip: 120, windowMs: MINUTE },
  /** Socket connections opened by one account. */
  socketConnect: { user: 60, ip: 300, windowMs: MINUTE },
} satisfies Record<string, RateRule>;

export type RateAction = keyof typeof DEFAULT_RATE_RULES;
export type RateRules = Record<RateAction, RateRule>;

const RULE = /^([a-zA-Z]+):(\d+|-)(?:\/(\d+|-))?@(\d+)$/;

/** The defaults with the overrides of RATE_LIMITS applied; a malformed or unknown entry is an error message. */
export function parseRateRules(spec: string | undefined): RateRules | string {
  const rules: RateRules = { ...DEFAULT_RATE_RULES };
  for (const part of (spec ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = RULE.exec(part);
    if (!m) return `"${part}" is not name:user/ip@seconds`;
    const name = m[1] as RateAction;
    if (!Object.hasOwn(DEFAULT_RATE_RULES, name)) return `"${m[1]}" is not a rate-limited action`;
    const count = (v: string | undefined) => (v === undefined || v === '-' ? undefined : Number(v));
    rules[name] = { user: count(m[2]), ip: count(m[3]), windowMs: Number(m[4]) * 1000 };
  }
  return rules;
}
