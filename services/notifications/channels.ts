import { config } from '../../config/index.js';
import { NotificationPreference } from '../../models/notification-preference.model.js';
import { User } from '../../models/user.model.js';
import { sendMail } from '../mail/mail.service.js';
import type { NotificationView } from './notification.service.js';
import { emailFrequencyOf } from './preferences.service.js';
import { pushToDevices } from './push/delivery.js';

/** What the channels beyond the app read of the account. */
export const RECIPIENT_FIELDS = {
  email: 1,
  emailVerified: 1,
  firstName: 1,
  language: 1,
  bannedAt: 1,
  'settings.notifications': 1,
} as const;
export type Recipient = {
  email: string;
  emailVerified?: boolean | null;
  firstName: string;
  bannedAt?: Date | null;
  settings?: { notifications?: { email?: boolean | null; push?: boolean | null } | null } | null;
};

export const mailLinks = () => ({
  link: `${config.appUrl}/notifications`,
  settingsLink: `${config.appUrl}/settings/notifications`,
});

/**
 * A proven address (never a stranger's someone signed up with), the account-wide email switch
 * on, and an account not banned (a banned person hears nothing from the product's notices).
 */
export const mayEmail = (user: Recipient) =>
  !user.bannedAt && Boolean(user.emailVerified) && user.settings?.notifications?.email !== false;

/**
 * What deliverBeyondApp decides by: the person's choices and their account, in one read. The
 * caller reads it before the notice is announced in the app: a choice changed once the person
 * has seen the notice (quiet hours turned off) must not decide that notice's push.
 */
export const readRecipientChoices = (userId: string) =>
  Promise.all([NotificationPreference.findById(userId).lean(), User.findById(userId, RECIPIENT_FIELDS).lean()]);

/**
 * A new notice beyond the app: the person's devices, and their inbox if they chose that
 * type at once. One read of their choices and their account serves both; a banned account
 * hears nothing.
 */
export async function deliverBeyondApp(
  userId: string,
  view: NotificationView,
  choices?: Awaited<ReturnType<typeof readRecipientChoices>>,
): Promise<void> {
  const [prefs, user] = choices ?? (await readRecipientChoices(userId));
  if (!user || user.bannedAt) return;
  await Promise.all([
    user.settings?.notifications?.push === false ? undefined : pushToDevices(userId, prefs, view),
    emailFrequencyOf(prefs, view.type) === 'immediate' && mayEmail(user)
      ? sendMail(
          'notification',
          user.email,
          { firstName: user.firstName, text: view.text, ...mailLinks() },
          user.language ?? undefined,
        )
      : undefined,
  ]);
}
