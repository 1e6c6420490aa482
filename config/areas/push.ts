import { z } from 'zod';
import { baseUrl, bool, csv, defineArea, int } from '../env-rules.js';

/** The Firebase service account, as Google's console downloads it (JSON, or that JSON in base64). */
const serviceAccountShape = z.object({
  project_id: z.string().min(1),
  client_email: z.string().min(3),
  private_key: z.string().includes('PRIVATE KEY'),
  token_uri: z.url().default('https://oauth2.googleapis.com/token'),
});
export type ServiceAccount = z.output<typeof serviceAccountShape>;

function serviceAccountOf(raw: string | undefined): ServiceAccount | string | null {
  if (!raw) return null;
  try {
    const text = raw.trim().startsWith('{') ? raw : Buffer.from(raw, 'base64').toString('utf8');
    const parsed = serviceAccountShape.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  } catch {
    return 'not JSON (raw or base64)';
  }
}

// The browsers' push services: a subscription's endpoint must be on one of these (the server
// posts to it, so an endpoint anywhere else would make it a request forger).
const PUSH_SERVICE_HOSTS = 'fcm.googleapis.com,updates.push.services.mozilla.com,web.push.apple.com,*.notify.windows.com';

/** Device push: web push (VAPID) and Firebase Cloud Messaging (HTTP v1); each off until configured. */
export const push = defineArea({
  vars: {
    VAPID_PUBLIC_KEY: z
      .string()
      .regex(/^[A-Za-z0-9_-]{80,100}$/, 'a base64url P-256 public key')
      .optional(),
    VAPID_PRIVATE_KEY: z
      .string()
      .regex(/^[A-Za-z0-9_-]{40,50}$/, 'a base64url P-256 private key')
      .optional(),
    VAPID_SUBJECT: z
      .string()
      .regex(/^(mailto:|https:\/\/)/, 'a mailto: or https: URL')
      .optional(),
    WEB_PUSH_HOSTS: csv,
    // Development and tests only: a push service on plain http (a local stand-in).
    WEB_PUSH_ALLOW_HTTP: bool(false),
    FCM_SERVICE_ACCOUNT: z.string().min(2).optional(),
    FCM_API_URL: baseUrl('https://fcm.googleapis.com'),
    PUSH_TIMEOUT_MS: int(5000, 100, 60_000),
    PUSH_DEVICES_PER_USER: int(10, 1, 100),
  },
  check: (e, { production }) => {
    const problems: string[] = [];
    const vapid = [e.VAPID_PUBLIC_KEY, e.VAPID_PRIVATE_KEY, e.VAPID_SUBJECT].filter(Boolean).length;
    if (vapid !== 0 && vapid !== 3) problems.push('VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT: give all three or none');
    if (production && e.WEB_PUSH_ALLOW_HTTP) problems.push('WEB_PUSH_ALLOW_HTTP: never in production');
    const account = serviceAccountOf(e.FCM_SERVICE_ACCOUNT);
    if (typeof account === 'string') problems.push(`FCM_SERVICE_ACCOUNT: ${account}`);
    return problems;
  },
  settings: (e) => {
    const account = serviceAccountOf(e.FCM_SERVICE_ACCOUNT);
    return {
      push: {
        web:
          e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY && e.VAPID_SUBJECT
            ? { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY, subject: e.VAPID_SUBJECT }
            : null,
        webHosts: e.WEB_PUSH_HOSTS.length ? e.WEB_PUSH_HOSTS : PUSH_SERVICE_HOSTS.split(','),
        webAllowHttp: e.WEB_PUSH_ALLOW_HTTP,
        fcm: account && typeof account !== 'string' ? { account, apiUrl: e.FCM_API_URL } : null,
        timeoutMs: e.PUSH_TIMEOUT_MS,
        devicesPerUser: e.PUSH_DEVICES_PER_USER,
      },
    };
  },
});
