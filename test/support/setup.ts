/**
 * Loaded by mocha before any spec, so the environment set here is what config
 * validates when the app is first imported. test/run.ts has set MONGODB_URI and
 * SES_ENDPOINT; everything else gets test defaults unless already set.
 */
import { tmpdir } from 'node:os';

const runId = process.env.TEST_RUN_ID ?? String(process.pid);

const defaults: Record<string, string> = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  BCRYPT_COST: '4',
  CORS_ORIGINS: 'http://app.test,http://localhost:5173',
  TRUST_PROXY: 'true',
  APP_URL: 'http://app.test',
  MAIL_PROVIDER: 'ses',
  AWS_ACCESS_KEY_ID: 'test-key',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  JWT_ACCESS_SECRET: 'test-secret-that-is-long-enough-0123456789',
  RATE_LIMIT_PREFIX: `rl:test:${runId}:`,
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '5',
  LOGIN_MAX_FAILURES_PER_IP: '20',
  SIGNUP_PER_IP_PER_HOUR: '100000',
  ENABLE_JOBS: 'false',
  PUBLIC_URL: 'http://api.test',
  STORAGE_PROVIDER: 'local',
  STORAGE_LOCAL_DIR: `${tmpdir()}/devtinder-test-media-${runId}`,
  // Small limits so the tests can cross them cheaply.
  UPLOAD_MAX_BYTES: String(256 * 1024),
  IMAGE_MAX_PIXELS: String(16_000_000),
  GALLERY_MAX_PHOTOS: '3',
  PLAN_FREE_DAILY_REQUESTS: '3',
  PLAN_GOLD_DAILY_REQUESTS: '5',
  CONTACTS_PER_HOUR: '4',
  PAYMENT_ORDERS_PER_HOUR: '6',
  ADMIN_ALERT_EMAIL: 'alerts@devtinder.test',
  TYPING_TTL_MS: '600',
  PRESENCE_GRACE_MS: '300',
  // Calls and tickets end as soon as the last socket goes (the browser tests' server waits, as in production).
  RECONNECT_GRACE_MS: '0',
  NOTIFICATION_MESSAGE_GRACE_MS: '400',
  CHAT_EDIT_WINDOW_MINUTES: '15',
  CALL_RING_TIMEOUT_MS: '700',
  MATCH_RESPONSE_MS: '700',
  MATCH_ROUND_MS: '50',
  // Every card read again at the match: the tests change profiles seconds after joining.
  MATCH_CARD_MAX_AGE_MS: '0',
  // Tests apply the learner's queue themselves (learnTasteSignals).
  TASTE_LEARN_MS: '600000',
  CHAT_GROUP_MAX_MEMBERS: '1000',
  TURN_URLS: 'turn:turn.devtinder.test:3478?transport=udp,turns:turn.devtinder.test:5349',
  TURN_SECRET: 'test-turn-shared-secret-0123',
  // What the relayed candidates of the tests point at (coturn's external-ip).
  TURN_RELAY_IPS: '198.51.100.9,2001:db8::9',
  // Posts: small files, short videos, quick retries, a queue of this run's own.
  POST_MEDIA_MAX_BYTES: String(2 * 1024 * 1024),
  VIDEO_MAX_SECONDS: '5',
  MEDIA_JOB_ATTEMPTS: '2',
  MEDIA_JOB_BACKOFF_MS: '50',
  MEDIA_QUEUE_PREFIX: `bull-test-${runId}`,
  POSTS_PER_DAY: '30',
  RUNTIME_SETTINGS_POLL_MS: '200',
  ADMIN_LIVE_INTERVAL_MS: '200',
  VIRAL_MIN_ENGAGEMENT: '15',
  TRENDING_MIN_ENGAGEMENT: '15',
  POST_REPORT_HIDE_THRESHOLD: '2',
  MODERATION_TERMS: 'crypto scam,forbiddenword',
};
for (const [key, value] of Object.entries(defaults)) process.env[key] ??= value;

// Razorpay: a local stand-in of its API (and the keys it checks) for the whole run.
const razorpay = await (await import('./razorpay-standin.js')).razorpayStandIn();
process.env.RAZORPAY_KEY_ID = razorpay.keyId;
process.env.RAZORPAY_KEY_SECRET = razorpay.keySecret;
process.env.RAZORPAY_WEBHOOK_SECRET = razorpay.webhookSecret;
process.env.RAZORPAY_API_URL = razorpay.url;

// Web push and Firebase: local push services, with the VAPID keys and service account they check.
const push = await (await import('./push-standin.js')).pushStandIn();
process.env.VAPID_PUBLIC_KEY = push.vapid.publicKey;
process.env.VAPID_PRIVATE_KEY = push.vapid.privateKey;
process.env.VAPID_SUBJECT = push.vapid.subject;
process.env.WEB_PUSH_HOSTS = '127.0.0.1';
process.env.WEB_PUSH_ALLOW_HTTP = 'true';
process.env.FCM_SERVICE_ACCOUNT = Buffer.from(JSON.stringify(push.serviceAccount)).toString('base64');
process.env.FCM_API_URL = push.url;

// Google, Apple and Facebook: local key sets and Graph API that the tests sign and register tokens with.
const oauth = await (await import('./oauth-standin.js')).oauthStandIn();
process.env.GOOGLE_CLIENT_IDS = `${oauth.google.audience},another-client.apps.test`;
process.env.GOOGLE_JWKS_URL = `${oauth.url}/google/certs`;
process.env.APPLE_CLIENT_IDS = oauth.apple.audience;
process.env.APPLE_JWKS_URL = `${oauth.url}/apple/keys`;
process.env.FACEBOOK_APP_ID = oauth.facebook.appId;
process.env.FACEBOOK_APP_SECRET = oauth.facebook.appSecret;
process.env.FACEBOOK_GRAPH_URL = `${oauth.url}/graph`;
// Refetch at once on an unknown key id, so a rotation is seen without waiting out the cool-down.
process.env.OAUTH_JWKS_COOLDOWN_SECONDS = '0';

if (!process.env.MONGODB_URI || !process.env.SES_ENDPOINT) {
  throw new Error('Run the tests with `npm test` (test/run.ts starts the database and mail stand-ins).');
}
