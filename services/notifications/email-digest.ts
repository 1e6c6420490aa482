import { DEFAULT_LANGUAGE, type Language } from '../../config/constants.js';
import type { Types } from 'mongoose';
import { DigestLog } from '../../models/digest-log.model.js';
import { NotificationPreference } from '../../models/notification-preference.model.js';
import { Notification, type NotificationDoc, type NotificationType } from '../../models/notification.model.js';
import { User } from '../../models/user.model.js';
import { insertedOnce } from '../../utils/duplicate-key.js';
import { utcDay } from '../../utils/clock.js';
import { logger } from '../../utils/logger.js';
import { sendMail } from '../mail/mail.service.js';
import { mailLinks, mayEmail, RECIPIENT_FIELDS } from './channels.js';
import { NOTICE_FIELDS, views } from './notification.service.js';

const DIGEST_ITEMS = 20;
// The period as the mail's language names it ("your daily summary", "tu resumen diario").
const PERIOD_WORDS: Record<Language, Record<'daily' | 'weekly', string>> = {
  en: { daily: 'daily', weekly: 'weekly' },
  es: { daily: 'diario', weekly: 'semanal' },
};
const PERIODS = [
  { name: 'daily', field: 'emailDaily', days: 1 },
  { name: 'weekly', field: 'emailWeekly', days: 7 },
] as const;

/** The people who chose a digest of this period for some types, a page at a time (never all in memory). */
async function* wantingDigest(field: 'emailDaily' | 'emailWeekly') {
  let after: Types.ObjectId | undefined;
  for (;;) {
    const page = await NotificationPreference.find(
      { [`${field}.0`]: { $exists: true }, ...(after && { _id: { $gt: after } }) },
      { emailDaily: 1, emailWeekly: 1 },
    )
      .sort({ _id: 1 })
      .limit(500)
      .lean();
    yield* page;
    if (page.length < 500) return;
    after = page.at(-1)!._id;
  }
}

/**
 * The daily summaries, and on Mondays the weekly ones: each person who chose a digest for
 * some types gets one mail listing their unread notices of those types from the period, once
 * per period (a log record claims it, so two processes or a rerun send nothing more).
 */
export async function sendNotificationDigests(now = new Date()): Promise<number> {
  let sent = 0;
  for (const period of PERIODS.filter((p) => p.name === 'daily' || now.getUTCDay() === 1)) {
    for await (const prefs of wantingDigest(period.field)) {
      const userId = String(prefs._id);
      const types = (prefs[period.field] ?? []) as NotificationType[];
      const since = new Date(now.getTime() - period.days * 86_400_000);
      const docs = await Notification.find(
        { userId, readAt: null, type: { $in: types }, createdAt: { $gt: since } },
        NOTICE_FIELDS,
      )
        .sort({ at: -1 })
        .limit(DIGEST_ITEMS)
        .lean<NotificationDoc[]>();
      const items = await views(userId, docs);
      const user = items.length ? await User.findById(userId, RECIPIENT_FIELDS).lean() : null;
      if (!user || !mayEmail(user)) continue;
      if (!(await insertedOnce(() => DigestLog.create({ _id: `${userId}:${period.name}:${utcDay(now)}`, day: utcDay(now) }))))
        continue;
      await sendMail(
        'notificationDigest',
        user.email,
        {
          firstName: user.firstName,
          period: PERIOD_WORDS[user.language ?? DEFAULT_LANGUAGE][period.name],
          count: items.length,
          items: items.map((n) => ({ text: n.text })),
          ...mailLinks(),
        },
        user.language ?? undefined,
      );
      sent++;
    }
  }
  logger.info('notification digests done', { sent });
  return sent;
}
