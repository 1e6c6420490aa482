import type { Types } from 'mongoose';
import { config } from '../../../config/index.js';
import { PushDevice, type PushDeviceDoc } from '../../../models/push-device.model.js';
import { Session } from '../../../models/session.model.js';
import { AppError, notFound } from '../../../utils/app-error.js';
import { insertedOnce } from '../../../utils/duplicate-key.js';

export type DeviceInput =
  | { kind: 'web'; endpoint: string; keys: { p256dh: string; auth: string } }
  | { kind: 'fcm'; token: string; platform?: 'android' | 'ios' | 'desktop' | 'web' };

const hostMatches = (host: string, pattern: string) =>
  pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern;

/**
 * A web push endpoint the server may post to: https (http only where configured for a local
 * stand-in), no credentials, on one of the known push services. Anything else would let a
 * subscriber make the server send requests wherever they like.
 */
export function isPushService(endpoint: string): boolean {
  const url = URL.canParse(endpoint) ? new URL(endpoint) : null;
  if (!url || url.username || url.password || !config.push.webHosts.some((h) => hostMatches(url.hostname, h))) return false;
  // https on its own port; plain http (any port) only for a configured local stand-in.
  return (url.protocol === 'https:' && url.port === '') || (config.push.webAllowHttp && url.protocol === 'http:');
}

function assertPushService(endpoint: string): void {
  if (!isPushService(endpoint)) throw new AppError('PUSH_ENDPOINT_REFUSED', 'The push endpoint is not on a known push service');
}

/** Sessions still in force, of those given: a device pushes only while its session lives. */
export async function liveSessionIds(ids: Types.ObjectId[]): Promise<Set<string>> {
  const live = await Session.find({ _id: { $in: ids }, revokedAt: null, expiresAt: { $gt: new Date() } }, { _id: 1 }).lean();
  return new Set(live.map((s) => String(s._id)));
}

export const deviceView = (d: PushDeviceDoc) => ({
  id: String(d._id),
  kind: d.kind,
  platform: d.platform,
  createdAt: d.createdAt,
  lastPushedAt: d.lastPushedAt ?? null,
});

const inUse = () => new AppError('DEVICE_IN_USE', 'This device is registered to another signed-in session');

/**
 * Takes a device for this session: new, already this account's, or held by a session that
 * ended. Each write is conditional on what was read, so two sessions registering one device
 * at once end with one holder (the other re-reads once, then is refused).
 */
async function claimDevice(fields: { address: string }, userId: string, sessionId: string, retried = false): Promise<void> {
  const held = await PushDevice.findOne({ address: fields.address }, { sessionId: 1, userId: 1 }).lean();
  if (held) {
    const ours = String(held.userId) === userId || String(held.sessionId) === sessionId;
    if (!ours && (await liveSessionIds([held.sessionId])).size > 0) throw inUse();
    const moved = await PushDevice.updateOne(
      { address: fields.address, sessionId: held.sessionId },
      { $set: { ...fields, userId, sessionId } },
    );
    if (moved.matchedCount === 1) return;
  } else if (await insertedOnce(() => PushDevice.create({ ...fields, userId, sessionId }))) {
    return;
  }
  if (retried) throw inUse();
  await claimDevice(fields, userId, sessionId, true);
}

/**
 * Registers a device for push under the caller's session. A device another account's live
 * session holds is refused (knowing a token or endpoint is not owning it); one whose session
 * ended, or one of this account's, moves here. The least recently registered beyond the per-user cap go.
 */
export async function registerDevice(userId: string, sessionId: string, input: DeviceInput) {
  if (input.kind === 'web') {
    if (!config.push.web) throw new AppError('PUSH_UNAVAILABLE', 'Web push is not set up on this server');
    assertPushService(input.endpoint);
    // An uncompressed P-256 point and a 16-byte secret, or nothing can be encrypted for it.
    const key = Buffer.from(input.keys.p256dh, 'base64url');
    if (key.length !== 65 || key[0] !== 4 || Buffer.from(input.keys.auth, 'base64url').length !== 16) {
      throw new AppError('VALIDATION_FAILED', 'The subscription keys are not a P-256 key and a 16-byte secret');
    }
  } else if (!config.push.fcm) {
    throw new AppError('PUSH_UNAVAILABLE', 'Mobile push is not set up on this server');
  }
  const fields =
    input.kind === 'web'
      ? { kind: 'web', address: input.endpoint, p256dh: input.keys.p256dh, auth: input.keys.auth, platform: 'web' }
      : { kind: 'fcm', address: input.token, platform: input.platform ?? 'android' };
  await claimDevice(fields, userId, sessionId);
  const mine = await PushDevice.find({ userId }, { _id: 1 }).sort({ updatedAt: -1 }).lean();
  const beyond = mine.slice(config.push.devicesPerUser).map((d) => d._id);
  if (beyond.length) await PushDevice.deleteMany({ _id: { $in: beyond }, userId });
  const device = await PushDevice.findOne({ address: fields.address, userId }).lean<PushDeviceDoc>();
  if (!device) throw notFound('Device');
  return deviceView(device);
}

export async function listDevices(userId: string) {
  const devices = await PushDevice.find({ userId }).sort({ createdAt: -1 }).lean<PushDeviceDoc[]>();
  return devices.map(deviceView);
}

export async function removeDevice(userId: string, id: string): Promise<void> {
  const gone = await PushDevice.deleteOne({ _id: id, userId });
  if (gone.deletedCount === 0) throw notFound('Device');
}

/** What a client needs to subscribe: the VAPID public key (web), and whether mobile push is on. */
export function pushSetup() {
  return { webPushPublicKey: config.push.web?.publicKey ?? null, mobilePush: Boolean(config.push.fcm) };
}
