import { DEFAULT_LANGUAGE, type Language } from '../../config/constants.js';
import type { NotificationType } from '../../models/notification.model.js';

/** Who did it, as the text names them: the latest one and how many others. */
export interface Actors {
  name: string | null;
  others: number;
}

type Render = (a: Actors, data: Record<string, string>) => string;

/** "Gold" for the plan in a notice's data. */
const planName = (d: Record<string, string>, fallback: string) =>
  d.plan ? d.plan[0]!.toUpperCase() + d.plan.slice(1) : fallback;
const reasonOf = (d: Record<string, string>) => (d.reason ? ` (${d.reason.replaceAll('_', ' ')})` : '');

const whoEn = ({ name, others }: Actors) =>
  !name ? 'Someone' : others === 0 ? name : `${name} and ${others} ${others === 1 ? 'other' : 'others'}`;
const whoEs = ({ name, others }: Actors) =>
  !name ? 'Alguien' : others === 0 ? name : `${name} y ${others} ${others === 1 ? 'persona más' : 'personas más'}`;
// Spanish verbs agree with how many did it.
const es = (a: Actors, one: string, many: string) => (a.others > 0 ? many : one);

// What was reviewed, in Spanish, and whether the word is masculine.
const ES_THINGS: Record<string, [string, boolean]> = {
  post: ['publicación', false],
  comment: ['comentario', true],
  message: ['mensaje', true],
  profile: ['perfil', true],
};

/**
 * A moderation decision, by its outcome in the notice's data (`outcome`, `what`). Older
 * notices carry their English text instead.
 */
const MODERATION: Record<Language, (what: string, outcome: string, d: Record<string, string>) => string | undefined> = {
  en: (what, outcome, d) =>
    ({
      removed: `A moderator removed your ${what}`,
      restored: `A moderator restored your ${what}`,
      hidden: `A moderator hid your ${what}`,
      warned: `A moderator warned you about your ${what}: please keep to the community rules`,
      suspended: `Your account is suspended${d.until ? ` until ${d.until.slice(0, 10)}` : ''} after a moderator reviewed your ${what}`,
      banned: `Your account was banned after a moderator reviewed your ${what}`,
      report_removed: `Thank you: the ${what} you reported was removed`,
      report_kept: `Thank you: the ${what} you reported was reviewed and stays up`,
      report_actioned: `Thank you: a moderator acted on the ${what} you reported`,
    })[outcome],
  es: (what, outcome, d) => {
    const [thing, male] = ES_THINGS[what] ?? ES_THINGS.post!;
    const the = male ? 'el' : 'la';
    const your = `tu ${thing}`;
    return {
      removed: `Un moderador eliminó ${your}`,
      restored: `Un moderador restauró ${your}`,
      hidden: `Un moderador ocultó ${your}`,
      warned: `Un moderador te advirtió por ${your}: respeta las normas de la comunidad`,
      suspended: `Tu cuenta está suspendida${d.until ? ` hasta el ${d.until.slice(0, 10)}` : ''} tras revisar ${your}`,
      banned: `Tu cuenta fue bloqueada tras revisar ${your}`,
      report_removed: `Gracias: ${the} ${thing} que denunciaste fue ${male ? 'eliminado' : 'eliminada'}`,
      report_kept: `Gracias: revisamos ${the} ${thing} que denunciaste y se mantiene`,
      report_actioned: `Gracias: un moderador actuó sobre ${the} ${thing} que denunciaste`,
    }[outcome];
  },
};

/**
 * The text of each notice in each language, in one place; a language joins by adding its
 * catalogue. Values that are not people come from the notice's data.
 */
const TEMPLATES: Record<Language, Record<NotificationType, Render>> = {
  en: {
    connection_request: (a) => `${whoEn(a)} wants to connect with you`,
    connection_accepted: (a) => `${whoEn(a)} accepted your connection request`,
    message: (a) => `${whoEn(a)} sent you a message`,
    match_found: () => 'We found you a match: say hello before it expires',
    match_accepted: (a) => `You and ${whoEn(a)} both said yes`,
    missed_call: (a) => `You missed a call from ${whoEn(a)}`,
    mention: (a) => `${whoEn(a)} mentioned you in a comment`,
    comment: (a) => `${whoEn(a)} commented on your post`,
    reply: (a) => `${whoEn(a)} replied to your comment`,
    like: (a) => `${whoEn(a)} liked your post`,
    share: (a) => `${whoEn(a)} shared your post`,
    post_ready: () => 'Your post is ready and visible',
    post_failed: (_a, d) => `Your post could not be published${reasonOf(d)}`,
    membership_granted: (_a, d) => `Your ${planName(d, 'paid')} membership is active`,
    membership_expiring: (_a, d) => `Your ${planName(d, 'paid')} membership ends soon`,
    membership_expired: (_a, d) => `Your ${planName(d, 'paid')} membership has ended`,
    payment_failed: () => 'A payment did not go through',
    moderation: (_a, d) => MODERATION.en(d.what ?? 'post', d.outcome ?? '', d) ?? d.text ?? 'A moderator reviewed your content',
    system: (_a, d) => d.text ?? '',
  },
  es: {
    connection_request: (a) => `${whoEs(a)} ${es(a, 'quiere', 'quieren')} conectar contigo`,
    connection_accepted: (a) => `${whoEs(a)} ${es(a, 'aceptó', 'aceptaron')} tu solicitud de conexión`,
    message: (a) => `${whoEs(a)} te ${es(a, 'envió', 'enviaron')} un mensaje`,
    match_found: () => 'Te encontramos una pareja: salúdala antes de que caduque',
    match_accepted: (a) => `Tú y ${whoEs(a)} dijeron que sí`,
    missed_call: (a) => `Tienes una llamada perdida de ${whoEs(a)}`,
    mention: (a) => `${whoEs(a)} te ${es(a, 'mencionó', 'mencionaron')} en un comentario`,
    comment: (a) => `${whoEs(a)} ${es(a, 'comentó', 'comentaron')} tu publicación`,
    reply: (a) => `${whoEs(a)} ${es(a, 'respondió', 'respondieron')} a tu comentario`,
    like: (a) => `A ${whoEs(a)} le${es(a, '', 's')} gustó tu publicación`,
    share: (a) => `${whoEs(a)} ${es(a, 'compartió', 'compartieron')} tu publicación`,
    post_ready: () => 'Tu publicación está lista y visible',
    post_failed: (_a, d) => `Tu publicación no se pudo publicar${reasonOf(d)}`,
    membership_granted: (_a, d) => `Tu membresía ${planName(d, 'de pago')} está activa`,
    membership_expiring: (_a, d) => `Tu membresía ${planName(d, 'de pago')} termina pronto`,
    membership_expired: (_a, d) => `Tu membresía ${planName(d, 'de pago')} ha terminado`,
    payment_failed: () => 'Un pago no se completó',
    moderation: (_a, d) => MODERATION.es(d.what ?? 'post', d.outcome ?? '', d) ?? d.text ?? 'Un moderador revisó tu contenido',
    // An admin's notice in the reader's language where it was written in it.
    system: (_a, d) => d.text_es ?? d.text ?? '',
  },
};

export function notificationText(
  type: NotificationType,
  actors: Actors,
  data: Record<string, string> = {},
  language: Language = DEFAULT_LANGUAGE,
): string {
  return (TEMPLATES[language] ?? TEMPLATES[DEFAULT_LANGUAGE])[type](actors, data);
}

const PUSH_MAX = 140;

/** A push's short text: the notice's, cut at a word near 140 characters (lock screens show little more). */
export function pushText(text: string): string {
  if (text.length <= PUSH_MAX) return text;
  const cut = text.slice(0, PUSH_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > PUSH_MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
