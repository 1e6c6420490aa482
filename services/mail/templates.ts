import Mustache from 'mustache';
import type { Language } from '../../config/constants.js';
import type { MailMessage } from './mail.provider.js';

/**
 * Mail templates. Mustache escapes every {{value}} in the HTML part, so a name
 * such as "<script>" arrives as text; the text part is rendered unescaped.
 */
interface Template {
  subject: string;
  text: string;
  html: string;
}

const layout = (body: string) =>
  `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${body}<p style="color:#888">DevTinder</p></body></html>`;

const templates = {
  verifyEmail: {
    subject: 'Confirm your email address',
    text: 'Hi {{firstName}},\n\nConfirm your email address by opening this link:\n{{link}}\n\nIt expires in {{hours}} hours.\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p><a href="{{link}}">Confirm your email address</a></p><p>The link expires in {{hours}} hours.</p>',
    ),
  },
  resetPassword: {
    subject: 'Reset your password',
    text: 'Hi {{firstName}},\n\nSomeone asked to reset your password. If it was you, open this link within {{minutes}} minutes:\n{{link}}\n\nIf it was not you, ignore this message.\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p>Someone asked to reset your password. If it was you, <a href="{{link}}">choose a new one</a> within {{minutes}} minutes.</p><p>If it was not you, ignore this message.</p>',
    ),
  },
  confirmEmailChange: {
    subject: 'Confirm your new email address',
    text: 'Hi {{firstName}},\n\nConfirm that DevTinder should use this address from now on by opening this link:\n{{link}}\n\nIt expires in {{hours}} hours. If you did not ask for this, ignore this message.\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p><a href="{{link}}">Confirm that DevTinder should use this address</a> from now on.</p><p>The link expires in {{hours}} hours. If you did not ask for this, ignore this message.</p>',
    ),
  },
  emailChangeRequested: {
    subject: 'A new email address was asked for on your account',
    text: 'Hi {{firstName}},\n\nSomeone signed in to your account asked to move it to {{maskedEmail}}. Nothing changes until that address confirms. If this was not you, change your password and end your other sessions:\n{{link}}\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p>Someone signed in to your account asked to move it to <b>{{maskedEmail}}</b>. Nothing changes until that address confirms.</p><p>If this was not you, change your password and <a href="{{link}}">end your other sessions</a>.</p>',
    ),
  },
  emailChanged: {
    subject: 'Your email address was changed',
    text: 'Hi {{firstName}},\n\nYour account now uses {{maskedEmail}}; this address no longer signs in. If this was not you, write to support at once:\n{{link}}\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p>Your account now uses <b>{{maskedEmail}}</b>; this address no longer signs in.</p><p>If this was not you, <a href="{{link}}">write to support at once</a>.</p>',
    ),
  },
  passwordChanged: {
    subject: 'Your password was changed',
    text: 'Hi {{firstName}},\n\nYour password was just changed and every other session was signed out. If this was not you, reset your password now.\n{{#providers}}\nA new password does not sign out what else can sign in to the account: sign-in with {{providers}} stays linked. If you did not link it, reset your password, which removes every linked sign-in:\n{{link}}\n{{/providers}}',
    html: layout(
      '<p>Hi {{firstName}},</p><p>Your password was just changed and every other session was signed out. If this was not you, reset your password now.</p>{{#providers}}<p>A new password does not sign out what else can sign in to the account: sign-in with {{providers}} stays linked. If you did not link it, <a href="{{link}}">reset your password</a>, which removes every linked sign-in.</p>{{/providers}}',
    ),
  },
  signInsPaused: {
    subject: 'Sign-ins to your account are paused for a while',
    text: 'Hi {{firstName}},\n\nSomeone failed to sign in to your account {{failures}} times. To keep guesses out, for the next {{minutes}} minutes it is not signed in to from a device that has not signed in to it before, even with the right password: such sign-ins are answered as a wrong password. Devices you have signed in on before are not affected.\n\nIf this was you, wait and try again. If not, nobody got in; a strong password keeps it that way. You can reset yours here:\n{{link}}\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p>Someone failed to sign in to your account {{failures}} times. To keep guesses out, for the next {{minutes}} minutes it is not signed in to from a device that has not signed in to it before, even with the right password: such sign-ins are answered as a wrong password. Devices you have signed in on before are not affected.</p><p>If this was you, wait and try again. If not, nobody got in; a strong password keeps it that way. <a href="{{link}}">Reset your password</a>.</p>',
    ),
  },
  newDevice: {
    subject: 'New sign-in on {{device}}',
    text: 'Hi {{firstName}},\n\nYour account was just signed in to on {{device}} from {{region}} (IP {{ip}}) at {{time}}.\n\nIf this was you, there is nothing to do. If not, end that session and change your password:\n{{link}}\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p>Your account was just signed in to on <b>{{device}}</b> from {{region}} (IP {{ip}}) at {{time}}.</p><p>If this was you, there is nothing to do. If not, <a href="{{link}}">end that session</a> and change your password.</p>',
    ),
  },
  accountSecured: {
    subject: 'Your email address is confirmed: we secured your account',
    text: 'Hi {{firstName}},\n\nYou just proved you own this email address. Anything set up on the account before that could have been someone else, so we removed it: sign-in methods ({{providers}}) and {{sessions}} signed-in sessions. Set up what you use again:\n{{link}}\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p>You just proved you own this email address. Anything set up on the account before that could have been someone else, so we removed it: sign-in methods ({{providers}}) and {{sessions}} signed-in sessions.</p><p><a href="{{link}}">Set up what you use again</a>.</p>',
    ),
  },
  signInMethodChanged: {
    subject: 'Sign-in with {{provider}} was {{change}}',
    text: 'Hi {{firstName}},\n\nSign-in with {{provider}} was {{change}} on your account. If this was not you, change your password and review your sign-in methods:\n{{link}}\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p>Sign-in with {{provider}} was {{change}} on your account.</p><p>If this was not you, change your password and <a href="{{link}}">review your sign-in methods</a>.</p>',
    ),
  },
  connectionRequest: {
    subject: '{{fromName}} wants to connect',
    text: 'Hi {{firstName}},\n\n{{fromName}} (@{{fromUsername}}) sent you a connection request:\n{{link}}\n\nChoose how often we email you about requests in your settings.\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p>{{fromName}} (@{{fromUsername}}) sent you a connection request. <a href="{{link}}">See it</a>.</p><p style="color:#888">Choose how often we email you about requests in your settings.</p>',
    ),
  },
  notification: {
    subject: '{{text}}',
    text: 'Hi {{firstName}},\n\n{{text}}\n\nOpen DevTinder: {{link}}\n\nChange what we email you about: {{settingsLink}}\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p>{{text}}</p><p><a href="{{link}}">Open DevTinder</a></p><p style="color:#888"><a href="{{settingsLink}}">Change what we email you about</a></p>',
    ),
  },
  notificationDigest: {
    subject: 'Your {{period}} summary: {{count}} new',
    text: 'Hi {{firstName}},\n\nWhat happened since your last summary:\n{{#items}}- {{text}}\n{{/items}}\nOpen DevTinder: {{link}}\n\nChange what we email you about: {{settingsLink}}\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p>What happened since your last summary:</p><ul>{{#items}}<li>{{text}}</li>{{/items}}</ul><p><a href="{{link}}">Open DevTinder</a></p><p style="color:#888"><a href="{{settingsLink}}">Change what we email you about</a></p>',
    ),
  },
  requestDigest: {
    subject: 'You have {{count}} pending connection requests',
    text: 'Hi {{firstName}},\n\nYou have {{count}} pending connection requests:\n{{link}}\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p>You have {{count}} pending connection requests. <a href="{{link}}">See them</a>.</p>',
    ),
  },
  adminConnections: {
    subject: '{{count}} new connections',
    text: '{{count}} new connections formed since {{since}}.\n',
    html: layout('<p>{{count}} new connections formed since {{since}}.</p>'),
  },
  membershipReminder: {
    subject: 'Your {{plan}} membership ends soon',
    text: 'Hi {{firstName}},\n\nYour {{plan}} membership ends on {{expiresAt}}. Renew it to keep what it gives you:\n{{link}}\n',
    html: layout(
      '<p>Hi {{firstName}},</p><p>Your {{plan}} membership ends on {{expiresAt}}. <a href="{{link}}">Renew it</a> to keep what it gives you.</p>',
    ),
  },
  adminPayment: {
    subject: 'Payment {{outcome}}: {{plan}}, {{amount}} {{currency}}',
    text: 'Payment {{paymentId}} (order {{orderId}}) by user {{userId}}: {{outcome}}.\n{{plan}} for {{months}} month(s), {{amount}} {{currency}} (smallest unit).\n{{reason}}\n',
    html: layout(
      '<p>Payment {{paymentId}} (order {{orderId}}) by user {{userId}}: <b>{{outcome}}</b>.</p><p>{{plan}} for {{months}} month(s), {{amount}} {{currency}} (smallest unit).</p><p>{{reason}}</p>',
    ),
  },
  adminWebhookStuck: {
    subject: 'Payment event stuck: {{event}}',
    text: 'Razorpay event {{eventId}} ({{event}}, received {{receivedAt}}) has failed {{tries}} times. The job tries it (hourly at most) until {{giveUpAt}}; after that only an admin retries it (POST /api/v1/admin/payments/events/{{eventId}}/retry).\nLast error: {{error}}\n',
    html: layout(
      '<p>Razorpay event {{eventId}} ({{event}}, received {{receivedAt}}) has failed {{tries}} times. The job tries it (hourly at most) until {{giveUpAt}}; after that only an admin retries it (POST /api/v1/admin/payments/events/{{eventId}}/retry).</p><p>Last error: {{error}}</p>',
    ),
  },
} satisfies Record<string, Template>;

export type TemplateName = keyof typeof templates;

/**
 * Mails in other languages than English, where written: a person who chose one gets it,
 * anyone else (and any mail not written in it) gets the English one.
 */
const translations: Partial<Record<Language, Partial<Record<TemplateName, Template>>>> = {
  es: {
    notification: {
      subject: '{{text}}',
      text: 'Hola, {{firstName}}:\n\n{{text}}\n\nAbrir DevTinder: {{link}}\n\nCambiar lo que te enviamos por correo: {{settingsLink}}\n',
      html: layout(
        '<p>Hola, {{firstName}}:</p><p>{{text}}</p><p><a href="{{link}}">Abrir DevTinder</a></p><p style="color:#888"><a href="{{settingsLink}}">Cambiar lo que te enviamos por correo</a></p>',
      ),
    },
    notificationDigest: {
      subject: 'Tu resumen {{period}}: {{count}} novedades',
      text: 'Hola, {{firstName}}:\n\nLo que pasó desde tu último resumen:\n{{#items}}- {{text}}\n{{/items}}\nAbrir DevTinder: {{link}}\n\nCambiar lo que te enviamos por correo: {{settingsLink}}\n',
      html: layout(
        '<p>Hola, {{firstName}}:</p><p>Lo que pasó desde tu último resumen:</p><ul>{{#items}}<li>{{text}}</li>{{/items}}</ul><p><a href="{{link}}">Abrir DevTinder</a></p><p style="color:#888"><a href="{{settingsLink}}">Cambiar lo que te enviamos por correo</a></p>',
      ),
    },
  },
};

/** Template values: text and numbers, or lists of them for sections ({{#items}}...{{/items}}). */
export type MailValues = Record<string, string | number | readonly Record<string, string>[]>;

export function renderMail(name: TemplateName, to: string, values: MailValues, language?: Language): MailMessage {
  const t: Template = (language && translations[language]?.[name]) || templates[name];
  return {
    to,
    // A subject is plain text, never HTML ("O'Brien", not "O&#39;Brien"), on one line.
    subject: Mustache.render(t.subject, values, {}, { escape: (v: string) => v }).replace(/[\r\n]+/g, ' '),
    // Triple-mustache is never used; for text we turn escaping off instead.
    text: Mustache.render(t.text, values, {}, { escape: (v: string) => v }),
    html: Mustache.render(t.html, values),
  };
}
