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

/**
 * File types that run code where they are opened: never sent in a chat, whatever
 * CHAT_FILE_TYPES lists (the config refuses to list them) and whatever a file is named.
 */
export const NEVER_SENT_TYPES = [
  'application/x-msdownload',
  'application/x-elf',
  'application/x-mach-binary',
  'application/x-sharedlib',
  'application/java-archive',
  'application/java-vm',
  'application/vnd.android.package-archive',
  'application/x-cfb', // Windows installers (.msi) and old macro documents
  'application/x-shockwave-flash',
  'application/wasm',
  'application/x-google-chrome-extension',
  'application/x-xpinstall',
  'application/x-ms-regedit',
  'application/x.ms.shortcut',
  'application/x-deb',
  'application/x-rpm',
  'application/x-apple-diskimage',
  'application/vnd.ms-htmlhelp',
  'application/x-sh',
] as const;

/** Documents a chat takes by default (CHAT_FILE_TYPES): text, PDF and office formats without macros. */
export const DEFAULT_CHAT_FILE_TYPES = [
  'text/plain',
  'application/pdf',
  'application/rtf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
];

/** Languages notices, pushes and notice mails are written in; English where a person's is not known. */
export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';
