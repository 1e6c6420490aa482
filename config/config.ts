import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { parseKeys } from '../utils/text-cipher.js';
import { parseRateRules, type RateRules } from './limits.js';

/**
 * Every environment variable the server reads, validated once into a typed object.
 * parseConfig is pure so tests can feed it any environment.
 */

const DEV_JWT_SECRET = 'dev-only-secret-change-me-0123456789abcdef';
// Development only: production refuses to start without CHAT_KEYS.
const DEV_CHAT_KEY = Buffer.alloc(32, 7).toString('base64');

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1'));

const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const splitList = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const csv = z
  .string()
  .optional()
  .transform((v) => splitList(v ?? ''));

/** Express "trust proxy": false, true, a hop count, or a list of subnets/names. */
const trustProxy = z
  .string()
  .optional()
  .transform((v): boolean | number | string => {
    if (v === undefined || v === '' || v === 'false') return false;
    if (v === 'true') return true;
    if (/^\d+$/.test(v)) return Number(v);
    return v;
  });

/** Plan prices as "months:amount in the currency's smallest unit", comma-separated: "1:49900,3:129900". */
const prices = (fallback: string) =>
  z
    .string()
    .regex(/^\d{1,2}:\d{1,9}(,\d{1,2}:\d{1,9})*$/, 'months:amount pairs such as 1:49900,3:129900')
    .default(fallback)
    .transform((v) => Object.fromEntries(v.split(',').map((pair) => pair.split(':').map(Number) as [number, number])));

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(3000, 0, 65535),
  TRUST_PROXY: trustProxy,
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'debug', 'silent']).default('info'),
  APP_URL: z.url().default('http://localhost:5173'),
  CORS_ORIGINS: csv,
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'a size such as 100kb')
    .default('100kb'),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 120_000),

  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// or mongodb+srv:// URI')
    .optional(),
  EMBEDDED_MONGO_DIR: z.string().min(1).default('.data/mongo'),
  DB_SERVER_SELECTION_TIMEOUT_MS: int(1000, 100, 60_000),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
    .optional(),

  JWT_ACCESS_SECRET: z.string().min(32, 'at least 32 characters').default(DEV_JWT_SECRET),
  JWT_ISSUER: z.string().min(1).default('devtinder-api'),
  JWT_AUDIENCE: z.string().min(1).default('devtinder-clients'),
  ACCESS_TOKEN_TTL_SECONDS: int(900, 30, 3600),
  REFRESH_TOKEN_TTL_DAYS: int(30, 1, 365),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).optional(),
  BCRYPT_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
  COOKIE_SECURE: z.enum(['true', 'false']).optional(),
  COOKIE_SAMESITE: z.enum(['lax', 'strict']).default('lax'),
  COOKIE_DOMAIN: z.string().min(1).optional(),

  LOGIN_MAX_FAILURES_PER_ACCOUNT: int(5, 1, 1000),
  LOGIN_MAX_FAILURES_PER_IP: int(50, 1, 100_000),
  LOGIN_LOCKOUT_MINUTES: int(15, 1, 1440),
  EMAIL_RESEND_PER_HOUR: int(3, 1, 100),
  FORGOT_PASSWORD_PER_HOUR: int(5, 1, 100),
  FORGOT_PASSWORD_PER_IP_PER_HOUR: int(20, 1, 100_000),
  SIGNUP_PER_IP_PER_HOUR: int(30, 1, 100_000),
  RATE_LIMIT_PREFIX: z.string().min(1).default('rl:'),
  RATE_LIMITS: z.string().optional(),
  SOCKETS_PER_USER: int(10, 1, 1000),
  // How many API processes run side by side (pm2 instances); above one, production needs REDIS_URL.
  APP_INSTANCES: int(1, 1, 1024),
  NODE_APP_INSTANCE: z.coerce.number().int().min(0).optional(),
  EMAIL_VERIFY_TTL_HOURS: int(48, 1, 720),
  PASSWORD_RESET_TTL_MINUTES: int(60, 5, 1440),
  RECENT_AUTH_MINUTES: int(10, 1, 1440),
  GEOIP_DB_PATH: z.string().min(1).optional(),

  GOOGLE_CLIENT_IDS: csv,
  GOOGLE_JWKS_URL: z.url().default('https://www.googleapis.com/oauth2/v3/certs'),
  GOOGLE_ISSUERS: z.string().default('https://accounts.google.com,accounts.google.com'),
  APPLE_CLIENT_IDS: csv,
  APPLE_JWKS_URL: z.url().default('https://appleid.apple.com/auth/keys'),
  APPLE_ISSUER: z.string().min(1).default('https://appleid.apple.com'),
  FACEBOOK_APP_ID: z.string().min(1).optional(),
  FACEBOOK_APP_SECRET: z.string().min(8).optional(),
  FACEBOOK_GRAPH_URL: z.url().default('https://graph.facebook.com/v19.0'),
  OAUTH_JWKS_CACHE_MINUTES: int(60, 1, 1440),
  OAUTH_JWKS_COOLDOWN_SECONDS: int(30, 0, 3600),
  OAUTH_HTTP_TIMEOUT_MS: int(5000, 100, 60_000),
  OAUTH_SIGNUP_TTL_MINUTES: int(30, 5, 1440),

  MAIL_PROVIDER: z.enum(['log', 'ses']).default('log'),
  MAIL_FROM: z.string().min(3).default('DevTinder <no-reply@localhost>'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  SES_ENDPOINT: z.url().optional(),

  PUBLIC_URL: z.url().default('http://localhost:3000'),
  STORAGE_PROVIDER: z.enum(['local', 's3', 'cloudinary']).default('local'),
  STORAGE_LOCAL_DIR: z.string().min(1).default('.data/media'),
  STORAGE_LOCAL_PRIVATE_DIR: z.string().min(1).optional(),
  UPLOAD_MAX_BYTES: int(10 * 1024 * 1024, 1024, 50 * 1024 * 1024),
  IMAGE_MAX_PIXELS: int(40_000_000, 10_000, 268_402_689),
  GALLERY_MAX_PHOTOS: int(6, 1, 30),
  DIRECT_UPLOAD_TTL_SECONDS: int(300, 30, 3600),
  MEDIA_LINK_TTL_SECONDS: int(900, 60, 86_400),
  S3_BUCKET: z.string().min(3).optional(),
  S3_REGION: z.string().min(1).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_FORCE_PATH_STYLE: bool(false),
  S3_PUBLIC_URL: z.url().optional(),
  CLOUDINARY_CLOUD_NAME: z.string().min(1).optional(),
  CLOUDINARY_API_KEY: z.string().min(1).optional(),
  CLOUDINARY_API_SECRET: z.string().min(1).optional(),
  CLOUDINARY_API_URL: z.url().default('https://api.cloudinary.com'),

  PLAN_FREE_DAILY_REQUESTS: int(10, 0, 100_000),
  PLAN_GOLD_DAILY_REQUESTS: int(200, 0, 100_000),
  CONTACTS_PER_HOUR: int(20, 1, 10_000),
  PAYMENT_ORDERS_PER_HOUR: int(20, 1, 10_000),
  ADMIN_ALERT_EMAIL: z.email().optional(),
  ADMIN_ALERT_CRON: z.string().min(9).default('*/15 * * * *'),
  DIGEST_CRON: z.string().min(9).default('0 8 * * *'),

  CHAT_KEYS: z.string().min(1).optional(),
  CHAT_KEY_ID: z.string().min(1).optional(),
  CHAT_GROUP_MAX_MEMBERS: int(256, 3, 5000),
  CHAT_EDIT_WINDOW_MINUTES: int(15, 0, 10_080),
  CHAT_MAX_TEXT: int(4000, 1, 20_000),
  CHAT_REQUIRES_PLAN: bool(false),
  CHAT_PROFANITY: z.enum(['mask', 'refuse', 'off']).default('mask'),
  PRESENCE_GRACE_MS: int(5000, 0, 120_000),
  PRESENCE_HEARTBEAT_MS: int(5000, 50, 60_000),
  SOCKET_EVENTS_PER_SECOND: int(20, 1, 1_000_000),
  CALL_RING_TIMEOUT_MS: int(30_000, 200, 300_000),
  MATCH_RESPONSE_MS: int(20_000, 200, 300_000),
  MATCH_COOLDOWN_MINUTES: int(60, 0, 43_200),
  MATCH_ROUND_MS: int(250, 20, 10_000),
  STUN_URLS: csv,
  TURN_URLS: csv,
  TURN_SECRET: z.string().min(16).optional(),
  TURN_TTL_SECONDS: int(3600, 60, 86_400),
  TYPING_TTL_MS: int(5000, 500, 60_000),

  RAZORPAY_KEY_ID: z.string().min(1).optional(),
  RAZORPAY_KEY_SECRET: z.string().min(8).optional(),
  RAZORPAY_WEBHOOK_SECRET: z.string().min(8).optional(),
  RAZORPAY_API_URL: z.url().default('https://api.razorpay.com'),
  PAYMENT_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as INR')
    .default('INR'),
  PLAN_GOLD_PRICES: prices('1:49900,3:129900'),
  PLAN_PREMIUM_PRICES: prices('1:99900,3:249900'),
  MEMBERSHIP_CRON: z.string().min(9).default('*/10 * * * *'),
  MEMBERSHIP_REMINDER_DAYS: int(3, 0, 30),
  PAYMENT_RECONCILE_MINUTES: int(15, 1, 1440),

  POST_MEDIA_MAX_BYTES: int(200 * 1024 * 1024, 1024, 2 * 1024 * 1024 * 1024),
  POST_CAPTION_MAX: int(2200, 1, 10_000),
  POSTS_PER_DAY: int(25, 1, 10_000),
  VIDEO_MAX_SECONDS: int(90, 1, 3600),
  VIDEO_MAX_HEIGHT: int(2160, 144, 4320),
  VIDEO_LADDER: z
    .string()
    .regex(/^\d{3,4}(,\d{3,4})*$/, 'heights such as 1080,720,480,360,240')
    .default('1080,720,480,360,240,144'),
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  FFPROBE_PATH: z.string().min(1).default('ffprobe'),
  MEDIA_WORKER: bool(true),
  MEDIA_WORKER_CONCURRENCY: int(1, 1, 32),
  MEDIA_JOB_ATTEMPTS: int(3, 1, 20),
  MEDIA_JOB_BACKOFF_MS: int(10_000, 10, 3_600_000),
  MEDIA_JOB_TIMEOUT_MINUTES: int(30, 1, 1440),
  MEDIA_QUEUE_PREFIX: z.string().min(1).default('bull'),
  POST_PROFANITY: z.enum(['mask', 'refuse', 'off']).default('mask'),
  MODERATION_TERMS: csv,
  POST_REPORT_HIDE_THRESHOLD: int(3, 1, 1000),
  REPORT_TRUST_MIN_ACCOUNT_DAYS: int(7, 0, 3650),
  VIRAL_MIN_ENGAGEMENT: int(50, 1, 10_000_000),
  VIRAL_THRESHOLD: z.coerce.number().min(1).max(1000).default(3),
  VIRAL_MIN_LIKE_RATIO: z.coerce.number().min(0).max(1).default(0.05),
  TRENDING_MIN_ENGAGEMENT: int(30, 1, 10_000_000),
  TRENDING_THRESHOLD: z.coerce.number().min(1).max(1000).default(3),
  TRENDING_WINDOW_HOURS: int(3, 1, 24),
  TRENDING_BASELINE_HOURS: int(72, 6, 336),

  CLEANUP_CRON: z.string().min(9).default('17 * * * *'),
  POSTS_CRON: z.string().min(9).default('*/10 * * * *'),
  ENABLE_JOBS: bool(true),
});

export type Env = z.input<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: Record<string, string | undefined>) {
  // Empty strings in .env mean "unset", as most people write them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const problems: string[] = [];
  if (production) {
    if (!e.MONGODB_URI) problems.push('MONGODB_URI: required in production');
    if (e.JWT_ACCESS_SECRET === DEV_JWT_SECRET) problems.push('JWT_ACCESS_SECRET: required in production');
    if (e.MAIL_PROVIDER === 'log') problems.push('MAIL_PROVIDER: "log" is for development; use "ses" in production');
    if (e.BCRYPT_COST !== undefined && e.BCRYPT_COST < 10) problems.push('BCRYPT_COST: at least 10 in production');
    if (e.CORS_ORIGINS.length === 0) problems.push('CORS_ORIGINS: required in production');
    if (!e.CHAT_KEYS) problems.push('CHAT_KEYS: required in production (id:base64 32-byte key, comma-separated)');
    // Limits, revocations, presence and the match queue would each be one process's alone.
    if (!e.REDIS_URL && (e.APP_INSTANCES > 1 || (e.NODE_APP_INSTANCE ?? 0) > 0)) {
      problems.push('REDIS_URL: required in production with more than one process (APP_INSTANCES, pm2 instances)');
    }
  }
  const rateRules = parseRateRules(e.RATE_LIMITS);
  if (typeof rateRules === 'string') problems.push(`RATE_LIMITS: ${rateRules}`);
  for (const origin of e.CORS_ORIGINS) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) problems.push(`CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port])`);
  }
  if (e.STORAGE_PROVIDER === 's3' && !e.S3_BUCKET) problems.push('S3_BUCKET: required when STORAGE_PROVIDER is s3');
  if (e.STORAGE_PROVIDER === 'cloudinary') {
    for (const key of ['CLOUDINARY_CLOUD_NAME', 'CLOUDINARY_API_KEY', 'CLOUDINARY_API_SECRET'] as const) {
      if (!e[key]) problems.push(`${key}: required when STORAGE_PROVIDER is cloudinary`);
    }
  }
  const chatKeys = parseKeys(e.CHAT_KEYS ?? `dev:${DEV_CHAT_KEY}`);
  const chatKeyId = e.CHAT_KEY_ID ?? [...chatKeys.keys()].at(-1)!;
  for (const [id, key] of chatKeys) if (key.length !== 32) problems.push(`CHAT_KEYS: key "${id}" is not 32 bytes of base64`);
  if (!chatKeys.has(chatKeyId)) problems.push(`CHAT_KEY_ID: no key "${chatKeyId}" in CHAT_KEYS`);
  const razorpay = Boolean(e.RAZORPAY_KEY_ID && e.RAZORPAY_KEY_SECRET && e.RAZORPAY_WEBHOOK_SECRET);
  if (production && !razorpay) {
    problems.push(
      'RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET, RAZORPAY_WEBHOOK_SECRET: required in production (the local gateway takes no money)',
    );
  }
  if (Boolean(e.FACEBOOK_APP_ID) !== Boolean(e.FACEBOOK_APP_SECRET)) {
    problems.push('FACEBOOK_APP_ID, FACEBOOK_APP_SECRET: set both or neither');
  }
  if (e.TURN_URLS.length && !e.TURN_SECRET) problems.push('TURN_SECRET: required with TURN_URLS (coturn static-auth-secret)');
  if (problems.length) throw new ConfigError(problems);
  const publicUrl = e.PUBLIC_URL.replace(/\/$/, '');

  return {
    env: e.NODE_ENV,
    isProduction: production,
    host: e.HOST,
    port: e.PORT,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    appUrl: e.APP_URL.replace(/\/$/, ''),
    corsOrigins: e.CORS_ORIGINS.length ? e.CORS_ORIGINS : ['http://localhost:5173', 'http://localhost:3000'],
    bodyLimit: e.BODY_LIMIT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    db: {
      uri: e.MONGODB_URI,
      embeddedDir: e.EMBEDDED_MONGO_DIR,
      serverSelectionTimeoutMs: e.DB_SERVER_SELECTION_TIMEOUT_MS,
    },
    redisUrl: e.REDIS_URL,
    auth: {
      jwtSecret: e.JWT_ACCESS_SECRET,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
      bcryptCost: e.BCRYPT_COST ?? (production ? 12 : 10),
      bcryptConcurrency: e.BCRYPT_CONCURRENCY ?? Math.max(1, availableParallelism() - 1),
      emailVerifyTtlHours: e.EMAIL_VERIFY_TTL_HOURS,
      passwordResetTtlMinutes: e.PASSWORD_RESET_TTL_MINUTES,
      // Linking or unlinking a sign-in method needs a sign-in (or a password confirmed) this recent.
      recentAuthMinutes: e.RECENT_AUTH_MINUTES,
      geoipDbPath: e.GEOIP_DB_PATH,
    },
    // Sign-in with other providers; one with no client ids (or app keys) is off.
    oauth: {
      google: { clientIds: e.GOOGLE_CLIENT_IDS, jwksUrl: e.GOOGLE_JWKS_URL, issuers: splitList(e.GOOGLE_ISSUERS) },
      apple: { clientIds: e.APPLE_CLIENT_IDS, jwksUrl: e.APPLE_JWKS_URL, issuers: [e.APPLE_ISSUER] },
      facebook: { appId: e.FACEBOOK_APP_ID, appSecret: e.FACEBOOK_APP_SECRET, graphUrl: e.FACEBOOK_GRAPH_URL.replace(/\/$/, '') },
      jwksCacheMs: e.OAUTH_JWKS_CACHE_MINUTES * 60_000,
      jwksCooldownMs: e.OAUTH_JWKS_COOLDOWN_SECONDS * 1000,
      httpTimeoutMs: e.OAUTH_HTTP_TIMEOUT_MS,
      signupTtlMs: e.OAUTH_SIGNUP_TTL_MINUTES * 60_000,
    },
    cookies: {
      secure: e.COOKIE_SECURE === undefined ? production : e.COOKIE_SECURE === 'true',
      sameSite: e.COOKIE_SAMESITE,
      domain: e.COOKIE_DOMAIN,
    },
    limits: {
      loginFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      loginFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
      loginLockoutMinutes: e.LOGIN_LOCKOUT_MINUTES,
      emailResendPerHour: e.EMAIL_RESEND_PER_HOUR,
      forgotPasswordPerHour: e.FORGOT_PASSWORD_PER_HOUR,
      forgotPasswordPerIpPerHour: e.FORGOT_PASSWORD_PER_IP_PER_HOUR,
      signupPerIpPerHour: e.SIGNUP_PER_IP_PER_HOUR,
      contactsPerHour: e.CONTACTS_PER_HOUR,
      paymentOrdersPerHour: e.PAYMENT_ORDERS_PER_HOUR,
      prefix: e.RATE_LIMIT_PREFIX,
      actions: rateRules as RateRules,
      socketsPerUser: e.SOCKETS_PER_USER,
    },
    mail: {
      provider: e.MAIL_PROVIDER,
      from: e.MAIL_FROM,
      region: e.AWS_REGION,
      sesEndpoint: e.SES_ENDPOINT,
    },
    publicUrl,
    storage: {
      provider: e.STORAGE_PROVIDER,
      localDir: e.STORAGE_LOCAL_DIR,
      // Private objects (post and comment media) live outside the folder /media serves.
      localPrivateDir: e.STORAGE_LOCAL_PRIVATE_DIR ?? `${e.STORAGE_LOCAL_DIR.replace(/\/$/, '')}-private`,
      localBaseUrl: `${publicUrl}/media`,
      s3: {
        bucket: e.S3_BUCKET ?? '',
        region: e.S3_REGION ?? e.AWS_REGION,
        endpoint: e.S3_ENDPOINT,
        forcePathStyle: e.S3_FORCE_PATH_STYLE,
        publicBaseUrl: e.S3_PUBLIC_URL,
      },
      cloudinary: {
        cloudName: e.CLOUDINARY_CLOUD_NAME ?? '',
        apiKey: e.CLOUDINARY_API_KEY ?? '',
        apiSecret: e.CLOUDINARY_API_SECRET ?? '',
        apiUrl: e.CLOUDINARY_API_URL,
      },
      // Post and comment media are served only through signed links this long-lived.
      mediaLinkTtlSeconds: e.MEDIA_LINK_TTL_SECONDS,
    },
    uploads: {
      maxBytes: e.UPLOAD_MAX_BYTES,
      maxPixels: e.IMAGE_MAX_PIXELS,
      galleryMax: e.GALLERY_MAX_PHOTOS,
      directUploadTtlSeconds: e.DIRECT_UPLOAD_TTL_SECONDS,
    },
    // Daily connection requests per UTC day (null: unlimited), chat access and the blue tick.
    plans: {
      free: { dailyRequests: e.PLAN_FREE_DAILY_REQUESTS as number | null, chat: false, badge: false },
      gold: { dailyRequests: e.PLAN_GOLD_DAILY_REQUESTS as number | null, chat: true, badge: false },
      premium: { dailyRequests: null as number | null, chat: true, badge: true },
    },
    alerts: { adminEmail: e.ADMIN_ALERT_EMAIL, adminCron: e.ADMIN_ALERT_CRON, digestCron: e.DIGEST_CRON },
    chat: {
      keys: chatKeys,
      keyId: chatKeyId,
      groupMaxMembers: e.CHAT_GROUP_MAX_MEMBERS,
      editWindowMs: e.CHAT_EDIT_WINDOW_MINUTES * 60_000,
      maxText: e.CHAT_MAX_TEXT,
      requiresPlan: e.CHAT_REQUIRES_PLAN,
      profanity: e.CHAT_PROFANITY,
      presenceGraceMs: e.PRESENCE_GRACE_MS,
      // A process silent for four heartbeats is dead: the others sweep its sockets.
      presenceHeartbeatMs: e.PRESENCE_HEARTBEAT_MS,
      typingTtlMs: e.TYPING_TTL_MS,
      socketEventsPerSecond: e.SOCKET_EVENTS_PER_SECOND,
    },
    match: {
      responseMs: e.MATCH_RESPONSE_MS,
      coolDownMs: e.MATCH_COOLDOWN_MINUTES * 60_000,
      roundMs: e.MATCH_ROUND_MS,
    },
    calls: {
      ringTimeoutMs: e.CALL_RING_TIMEOUT_MS,
      stunUrls: e.STUN_URLS.length ? e.STUN_URLS : ['stun:stun.l.google.com:19302'],
      turnUrls: e.TURN_URLS,
      turnSecret: e.TURN_SECRET,
      turnTtlSeconds: e.TURN_TTL_SECONDS,
    },
    payments: {
      // Without Razorpay keys (development, tests that choose so) a local gateway stands in.
      gateway: razorpay ? ('razorpay' as const) : ('local' as const),
      keyId: e.RAZORPAY_KEY_ID ?? 'rzp_local',
      keySecret: e.RAZORPAY_KEY_SECRET ?? 'local-key-secret',
      webhookSecret: e.RAZORPAY_WEBHOOK_SECRET ?? 'local-webhook-secret',
      apiUrl: e.RAZORPAY_API_URL.replace(/\/$/, ''),
      currency: e.PAYMENT_CURRENCY,
      // Paid plans: months -> price in the currency's smallest unit (paise).
      prices: { gold: e.PLAN_GOLD_PRICES, premium: e.PLAN_PREMIUM_PRICES } as Record<'gold' | 'premium', Record<number, number>>,
      membershipCron: e.MEMBERSHIP_CRON,
      reminderDays: e.MEMBERSHIP_REMINDER_DAYS,
      reconcileAfterMs: e.PAYMENT_RECONCILE_MINUTES * 60_000,
    },
    posts: {
      mediaMaxBytes: e.POST_MEDIA_MAX_BYTES,
      captionMax: e.POST_CAPTION_MAX,
      perDay: e.POSTS_PER_DAY,
      maxImages: 10,
      videoMaxSeconds: e.VIDEO_MAX_SECONDS,
      videoMaxHeight: e.VIDEO_MAX_HEIGHT,
      // Rendition heights, largest first; a video gets those at or below its own height.
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
      videoLadder: e.VIDEO_LADDER.split(',')
        .map(Number)
        .sort((a, b) => b - a),
    },
    media: {
      ffmpeg: e.FFMPEG_PATH,
      ffprobe: e.FFPROBE_PATH,
      worker: e.MEDIA_WORKER,
      concurrency: e.MEDIA_WORKER_CONCURRENCY,
      attempts: e.MEDIA_JOB_ATTEMPTS,
      backoffMs: e.MEDIA_JOB_BACKOFF_MS,
      stuckAfterMs: e.MEDIA_JOB_TIMEOUT_MINUTES * 60_000,
      queuePrefix: e.MEDIA_QUEUE_PREFIX,
    },
    jobs: { enabled: e.ENABLE_JOBS, cleanupCron: e.CLEANUP_CRON, postsCron: e.POSTS_CRON },
  };
}

export type Config = ReturnType<typeof parseConfig>;
