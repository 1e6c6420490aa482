import { config } from '../../config/index.js';
import { DigestLog } from '../../models/digest-log.model.js';
import { NotificationPreference } from '../../models/notification-preference.model.js';
import { Notification, type NotificationDoc, type NotificationType } from '../../models/notification.model.js';
import { User } from '../../models/user.model.js';
import { insertedOnce } from '../../utils/duplicate-key.js';
import { utcDay } from '../../utils/clock.js';
import { logger } from '../../utils/logger.js';
import { sendMail } from '../mail/mail.service.js';
import { FIELDS_FOR_VIEWS, views, type NotificationView } from './notification.service.js';
import { emailFrequencyOf } from './preferences.service.js';

const DIGEST_ITEMS = 20;
const PERIODS = [
  { name: 'daily', field: 'emailDaily', days: 1 },
  { name: 'weekly', field: 'emailWeekly', days: 7 },
] as const;
const links = () => ({ link: `${config.appUrl}/notifications`, settingsLink: `${config.appUrl}/settings/notifications` });

/**
 * Who may be emailed: a proven address (never a stranger's someone signed up with), not
 * banned, and the account-wide email switch not turned off.
 */
async function recipient(userId: string) {
  const user = await User.findById(userId, {
    email: 1,
    emailVerified: 1,
    firstName: 1,
    bannedAt: 1,
    'settings.notifications.email': 1,
  }).lean();
  return user?.emailVerified && !user.bannedAt && user.settings?.notifications?.email !== false ? user : null;
}

/** A new notice whose type the person wants emailed at once goes out now (the mail provider). */
export async function emailIfImmediate(userId: string, view: NotificationView): Promise<void> {
  const prefs = await NotificationPreference.findById(userId).lean();
  if (emailFrequencyOf(prefs, view.type) !== 'immediate') return;
  const user = await recipient(userId);
  if (user) await sendMail('notification', user.email, { firstName: user.firstName, text: view.text, ...links() });
}

/**
 * The daily summaries, and on Mondays the weekly ones: each person who chose a digest for
 * some types gets one mail listing their unread notices of those types from the period, once
 * per period (a log record claims it, so two processes or a rerun send nothing more).
 */
export async function sendNotificationDigests(now = new Date()): Promise<number> {
  let sent = 0;
  for (const period of PERIODS.filter((p) => p.name === 'daily' || now.getUTCDay() === 1)) {
    const wanting = await NotificationPreference.find(
      { [`${period.field}.0`]: { $exists: true } },
      { emailDaily: 1, emailWeekly: 1 },
    ).lean();
    for (const prefs of wanting) {
      const userId = String(prefs._id);
      const types = (prefs[period.field] ?? []) as NotificationType[];
      const since = new Date(now.getTime() - period.days * 86_400_000);
      const docs = await Notification.find(
        { userId, readAt: null, type: { $in: types }, createdAt: { $gt: since } },
        FIELDS_FOR_VIEWS,
      )
        .sort({ at: -1 })
        .limit(DIGEST_ITEMS)
        .lean<NotificationDoc[]>();
      const items = await views(userId, docs);
      const user = items.length ? await recipient(userId) : null;
      if (!user) continue;
      if (!(await insertedOnce(() => DigestLog.create({ _id: `${userId}:${period.name}:${utcDay(now)}`, day: utcDay(now) }))))
        continue;
      await sendMail('notificationDigest', user.email, {
        firstName: user.firstName,
        period: period.name,
        count: items.length,
        items: items.map((n) => ({ text: n.text })),
        ...links(),
      });
      sent++;
    }
  }
  logger.info('notification digests done', { sent });
  return sent;
}
