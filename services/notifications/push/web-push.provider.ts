import webpush from 'web-push';
import type { PushMessage, PushOutcome } from './push-message.js';

export interface WebPushKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

export interface WebSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/**
 * Web push (RFC 8030 with VAPID, RFC 8292, and aes128gcm, RFC 8291): the web-push library
 * encrypts for the browser and signs the VAPID token; the request itself goes out through
 * fetch, with a timeout. A 404 or 410 means the subscription is gone.
 */
export async function sendWebPush(
  keys: WebPushKeys,
  subscription: WebSubscription,
  message: PushMessage,
  timeoutMs: number,
): Promise<PushOutcome> {
  const request = webpush.generateRequestDetails(
    { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
    JSON.stringify(message),
    { vapidDetails: keys, TTL: 24 * 3600, contentEncoding: 'aes128gcm', urgency: 'normal' },
  );
  const res = await fetch(request.endpoint, {
    method: request.method,
    headers: request.headers as Record<string, string>,
    body: request.body ?? undefined,
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.arrayBuffer();
  if (res.status === 404 || res.status === 410) return 'gone';
  return res.ok ? 'sent' : 'failed';
}
