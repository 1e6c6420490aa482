export const ACCESS_COOKIE = 'access_token';
export const REFRESH_COOKIE = 'refresh_token';
/** The refresh cookie only travels to the auth routes that need it. */
export const REFRESH_COOKIE_PATH = '/api/v1/auth';
export const API_PREFIX = '/api/v1';

/** The picture types accepted for profile photos and comments (by their first bytes). */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

// Sizes of the API's lists and filters, shared by validators and services.
export const SEARCH_MAX_DISTANCE_KM = 500;
export const SEARCH_MAX_INTERESTS = 5;
export const SEARCH_MAX_PAGE = 50;
export const DISCOVERY_MAX_PAGE = 30;

/** A post's images at most (a carousel). */
export const POST_MAX_IMAGES = 10;

/** What each plan grants: chat access and the blue tick; Premium's connection requests are unlimited (null). */
export const PLAN_FEATURES = {
  free: { chat: false, badge: false },
  gold: { chat: true, badge: false },
  premium: { chat: true, badge: true, dailyRequests: null },
} as const;
