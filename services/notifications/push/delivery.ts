import { config } from '../../../config/index.js';
import { PushDevice, type PushDeviceDoc } from '../../../models/push-device.model.js';
import { errorMessage, logger } from '../../../utils/logger.js';
import { pushOutcomes } from '../../../utils/metrics.js';
import type { NotificationView } from '../notification.service.js';
import { inQuietHours } from '../preferences.service.js';
import { pushText } from '../templates.js';
import { FcmSender } from './fcm.provider.js';
import type { PushMessage, PushOutcome } from './push-message.js';
import { sendWebPush } from './web-push.provider.js';
import { isPushService, liveSessionIds } from './devices.service.js';

let fcm: FcmSender | null = null;
const fcmSender = (settings: NonNullable<typeof config.push.fcm>) =>
  (fcm ??= new FcmSender(settings.account, settings.apiUrl, config.push.timeoutMs));

function sendTo(device: PushDeviceDoc, message: PushMessage): Promise<PushOutcome> {
  const { web, fcm: fcmSettings, timeoutMs } = config.push;
  if (device.kind === 'web' && web && device.p256dh && device.auth) {
    return sendWebPush(web, { endpoint: device.address, p256dh: device.p256dh, auth: device.auth }, message, timeoutMs);
  }
  if (device.kind === 'fcm' && fcmSettings) return fcmSender(fcmSettings).send(device.address, message);
  return Promise.resolve('failed');
}

/**
 * A new notice goes to the person's devices too (the caller checked the account), unless they
 * switched push off for its type or it is their quiet hours: the notice's short text, and what to open. A device its push
 * service calls gone is removed; any other failure is logged and the device kept.
 */
export async function pushToDevices(
  userId: string,
  prefs: { pushOff?: string[] | null; quietHours?: Parameters<typeof inQuietHours>[0] } | null,
  view: NotificationView,
): Promise<void> {
  if (!config.push.web && !config.push.fcm) return;
  if (prefs?.pushOff?.includes(view.type) || inQuietHours(prefs?.quietHours)) return;
  const registered = await PushDevice.find({ userId }).lean<PushDeviceDoc[]>();
  if (registered.length === 0) return;
  // Devices whose session ended, or whose endpoint is no longer on an allowed push service, go.
  const live = await liveSessionIds(registered.map((d) => d.sessionId));
  const stale = registered.filter((d) => !live.has(String(d.sessionId)) || (d.kind === 'web' && !isPushService(d.address)));
  // By id and session: a device re-registered by a new session meanwhile stays.
  if (stale.length) await PushDevice.deleteMany({ $or: stale.map((d) => ({ _id: d._id, sessionId: d.sessionId })) });
  const devices = registered.filter((d) => !stale.includes(d));
  if (devices.length === 0) return;
  const message: PushMessage = {
    title: 'DevTinder',
    body: pushText(view.text),
    data: {
      notificationId: view.id,
      type: view.type,
      ...(view.target && { targetKind: view.target.kind, targetId: view.target.id }),
      ...(view.target?.postId && { postId: view.target.postId }),
    },
  };
  await Promise.all(
    devices.map(async (device) => {
      const outcome = await sendTo(device, message).catch((err: unknown) => {
        logger.warn('push failed', { kind: device.kind, error: errorMessage(err) });
        return 'failed' as const;
      });
      pushOutcomes.inc({ kind: device.kind, outcome });
      if (outcome === 'gone') await PushDevice.deleteOne({ _id: device._id, address: device.address });
      if (outcome === 'sent') await PushDevice.updateOne({ _id: device._id }, { $set: { lastPushedAt: new Date() } });
    }),
  );
}
