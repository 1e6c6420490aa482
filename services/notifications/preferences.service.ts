import type { CHANNELS } from '../../models/notification-preference.model.js';
import { EMAIL_DEFAULTS, NotificationPreference, type EmailFrequency } from '../../models/notification-preference.model.js';
import { ALWAYS_IN_APP, NOTIFICATION_TYPES, type NotificationType } from '../../models/notification.model.js';
import { AppError } from '../../utils/app-error.js';

export type Channel = (typeof CHANNELS)[number];
export interface TypePreferences {
  inApp: 'immediate' | 'off';
  push: 'immediate' | 'off';
  email: EmailFrequency;
}
export type Preferences = Record<NotificationType, TypePreferences>;

/** Device push keeps quiet from `start` to `end` ("HH:MM", may span midnight) in `timeZone`. */
export interface QuietHours {
  start: string;
  end: string;
  timeZone: string;
}

const OFF_FIELD = { inApp: 'inAppOff', push: 'pushOff' } as const;
const EMAIL_FIELD = { immediate: 'emailImmediate', daily: 'emailDaily', weekly: 'emailWeekly', off: 'emailOff' } as const;
const EMAIL_FIELDS = Object.values(EMAIL_FIELD);

type PreferenceDoc = Partial<Record<(typeof OFF_FIELD)[keyof typeof OFF_FIELD] | (typeof EMAIL_FIELD)[EmailFrequency], string[]>>;

/** How often a type is emailed, from someone's stored choices. */
export function emailFrequencyOf(doc: PreferenceDoc | null | undefined, type: NotificationType): EmailFrequency {
  const chosen = (Object.keys(EMAIL_FIELD) as EmailFrequency[]).find((f) => doc?.[EMAIL_FIELD[f]]?.includes(type));
  return chosen ?? EMAIL_DEFAULTS[type] ?? 'off';
}

export async function isSwitchedOff(userId: string, type: NotificationType, channel: 'inApp' | 'push'): Promise<boolean> {
  // Old choices cannot silence what always reaches its person.
  if (ALWAYS_IN_APP.includes(type)) return false;
  return Boolean(await NotificationPreference.exists({ _id: userId, [OFF_FIELD[channel]]: type }));
}

export async function getPreferences(userId: string): Promise<{ preferences: Preferences; quietHours: QuietHours | null }> {
  const doc = await NotificationPreference.findById(userId).lean();
  const preferences = Object.fromEntries(
    NOTIFICATION_TYPES.map((t) => [
      t,
      {
        inApp: doc?.inAppOff?.includes(t) ? 'off' : 'immediate',
        push: doc?.pushOff?.includes(t) ? 'off' : 'immediate',
        email: emailFrequencyOf(doc, t),
      },
    ]),
  ) as Preferences;
  const q = doc?.quietHours;
  return {
    preferences,
    quietHours: q?.start && q.end && q.timeZone ? { start: q.start, end: q.end, timeZone: q.timeZone } : null,
  };
}

/**
 * In-app notices are the record; push and email tell of them. So a type switched off in the
 * app is off on every channel, and one asked for by push or email is kept in the app too
 * (never a push about a notice that is nowhere to be found).
 */
function coherent(type: NotificationType, p: Partial<TypePreferences>): Partial<TypePreferences> {
  if (ALWAYS_IN_APP.includes(type)) return p;
  if (p.inApp === 'off') return { inApp: 'off', push: 'off', email: 'off' };
  const told = (p.push !== undefined && p.push !== 'off') || (p.email !== undefined && p.email !== 'off');
  return told ? { ...p, inApp: 'immediate' } : p;
}

export type PreferenceChanges = Partial<Record<NotificationType, Partial<TypePreferences>>> & { quietHours?: QuietHours | null };

export async function setPreferences(userId: string, changes: PreferenceChanges) {
  const { quietHours, ...types } = changes;
  const entries = (Object.entries(types) as [NotificationType, Partial<TypePreferences>][]).map(
    ([type, p]) => [type, coherent(type, p)] as const,
  );
  if (entries.length === 0 && quietHours === undefined) {
    throw new AppError('VALIDATION_FAILED', 'Name at least one notification type or quietHours to change');
  }
  const named = (channel: Channel, value: string) => entries.filter(([, p]) => p[channel] === value).map(([t]) => t);
  const add: Record<string, { $each: NotificationType[] }> = {};
  const pull: Record<string, NotificationType[]> = {};
  for (const channel of ['inApp', 'push'] as const) {
    if (named(channel, 'off').length) add[OFF_FIELD[channel]] = { $each: named(channel, 'off') };
    if (named(channel, 'immediate').length) pull[OFF_FIELD[channel]] = named(channel, 'immediate');
  }
  // A type's email choice lives in one list: out of all four, then into its own.
  const emailed = entries.filter(([, p]) => p.email !== undefined).map(([t]) => t);
  if (emailed.length) for (const field of EMAIL_FIELDS) pull[field] = [...(pull[field] ?? []), ...emailed];
  for (const f of Object.keys(EMAIL_FIELD) as EmailFrequency[]) {
    if (named('email', f).length) add[EMAIL_FIELD[f]] = { $each: named('email', f) };
  }
  const quiet = quietHours === undefined ? {} : quietHours === null ? { $unset: { quietHours: 1 } } : { $set: { quietHours } };
  // Separate writes: one path may not take $pullAll and $addToSet at once.
  await NotificationPreference.updateOne({ _id: userId }, { $setOnInsert: { inAppOff: [] }, ...quiet }, { upsert: true });
  if (Object.keys(pull).length) await NotificationPreference.updateOne({ _id: userId }, { $pullAll: pull });
  if (Object.keys(add).length) await NotificationPreference.updateOne({ _id: userId }, { $addToSet: add });
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
