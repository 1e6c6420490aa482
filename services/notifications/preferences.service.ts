import { CHANNELS, NotificationPreference } from '../../models/notification-preference.model.js';
import { NOTIFICATION_TYPES, type NotificationType } from '../../models/notification.model.js';
import { AppError } from '../../utils/app-error.js';

export type Channel = (typeof CHANNELS)[number];
export type Frequency = 'immediate' | 'off';
export type TypePreferences = Record<Channel, Frequency>;
export type Preferences = Record<NotificationType, TypePreferences>;

/** Device push keeps quiet from `start` to `end` ("HH:MM", may span midnight) in `timeZone`. */
export interface QuietHours {
  start: string;
  end: string;
  timeZone: string;
}

const OFF_FIELD = { inApp: 'inAppOff', push: 'pushOff' } as const satisfies Record<Channel, string>;

export async function isSwitchedOff(userId: string, type: NotificationType, channel: Channel): Promise<boolean> {
  return Boolean(await NotificationPreference.exists({ _id: userId, [OFF_FIELD[channel]]: type }));
}

export async function getPreferences(userId: string): Promise<{ preferences: Preferences; quietHours: QuietHours | null }> {
  const doc = await NotificationPreference.findById(userId, { inAppOff: 1, pushOff: 1, quietHours: 1 }).lean();
  const off = { inApp: new Set<string>(doc?.inAppOff ?? []), push: new Set<string>(doc?.pushOff ?? []) };
  const preferences = Object.fromEntries(
    NOTIFICATION_TYPES.map((t) => [t, Object.fromEntries(CHANNELS.map((c) => [c, off[c].has(t) ? 'off' : 'immediate']))]),
  ) as Preferences;
  const q = doc?.quietHours;
  return {
    preferences,
    quietHours: q?.start && q.end && q.timeZone ? { start: q.start, end: q.end, timeZone: q.timeZone } : null,
  };
}

export type PreferenceChanges = Partial<Record<NotificationType, Partial<TypePreferences>>> & { quietHours?: QuietHours | null };

export async function setPreferences(userId: string, changes: PreferenceChanges) {
  const { quietHours, ...types } = changes;
  const entries = Object.entries(types) as [NotificationType, Partial<TypePreferences>][];
  if (entries.length === 0 && quietHours === undefined) {
    throw new AppError('VALIDATION_FAILED', 'Name at least one notification type or quietHours to change');
  }
  const add: Record<string, { $each: NotificationType[] }> = {};
  const pull: Record<string, NotificationType[]> = {};
  for (const channel of CHANNELS) {
    const off = entries.filter(([, p]) => p[channel] === 'off').map(([t]) => t);
    const on = entries.filter(([, p]) => p[channel] === 'immediate').map(([t]) => t);
    if (off.length) add[OFF_FIELD[channel]] = { $each: off };
    if (on.length) pull[OFF_FIELD[channel]] = on;
  }
  const quiet = quietHours === undefined ? {} : quietHours === null ? { $unset: { quietHours: 1 } } : { $set: { quietHours } };
  // Two writes: one path may not take $addToSet and $pullAll at once (off for push, on for in-app).
  await NotificationPreference.updateOne(
    { _id: userId },
    { ...(Object.keys(add).length && { $addToSet: add }), ...quiet },
    { upsert: true },
  );
  if (Object.keys(pull).length) await NotificationPreference.updateOne({ _id: userId }, { $pullAll: pull });
  return getPreferences(userId);
}

/** Whether `now` falls in someone's quiet hours, read on their clock. */
export function inQuietHours(quiet: { [K in keyof QuietHours]?: string | null } | null | undefined, now = new Date()): boolean {
  if (!quiet?.start || !quiet.end || !quiet.timeZone) return false;
  const local = new Intl.DateTimeFormat('en-GB', {
    timeZone: quiet.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(now);
  const { start, end } = quiet;
  // "HH:MM" strings compare as times; a window past midnight is the two ends of the day.
  return start <= end ? local >= start && local < end : local >= start || local < end;
}
