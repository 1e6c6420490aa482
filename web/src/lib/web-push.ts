import { get, post } from '../api';

/** 'unsupported' | 'off' (server has no key) | 'available' | 'enabled' | 'denied'. */
export async function pushState(): Promise<string> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return 'unsupported';
  const { webPushPublicKey } = await get<{ webPushPublicKey: string | null }>('/notifications/push-setup');
  if (!webPushPublicKey) return 'off';
  if (Notification.permission === 'denied') return 'denied';
  const registration = await navigator.serviceWorker.getRegistration('/');
  return (await registration?.pushManager.getSubscription()) ? 'enabled' : 'available';
}

const bytesOf = (base64url: string) =>
  Uint8Array.from(atob(base64url.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

/** Asks for permission, subscribes with the server's VAPID key, and registers the subscription. */
export async function enableWebPush(): Promise<string> {
  const { webPushPublicKey } = await get<{ webPushPublicKey: string | null }>('/notifications/push-setup');
  if (!webPushPublicKey) return 'off';
  if ((await Notification.requestPermission()) !== 'granted') return 'denied';
  const registration = await navigator.serviceWorker.register('/sw.js');
  await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: bytesOf(webPushPublicKey),
  });
  // The server takes exactly these fields (toJSON() also has expirationTime).
  const { endpoint, keys } = subscription.toJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
  await post('/notifications/devices', { kind: 'web', endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } });
  return 'enabled';
}
